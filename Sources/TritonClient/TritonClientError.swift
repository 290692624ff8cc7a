import CurlHTTP

/// The error a ``TritonHTTPClient`` throws: transport failures and Triton's own error answers.
public typealias TritonClientError = HTTPClientError
