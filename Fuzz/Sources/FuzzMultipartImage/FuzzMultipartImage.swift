import Foundation
import FuzzSupport
import InferenceProtocol
import UploadFormats

/// A classify upload: the input's first byte `n`, then `n` bytes of `Content-Type`, then the body.
///
/// The body is handed over as a slice of the input (its indices do not start at zero), which the
/// reader must handle like any `Data`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipartImage(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count >= 1 else { return 0 }
    let input = Data(bytes: start, count: count)
    let typeCount = min(Int(input[0]), count - 1)
    let contentType =
        typeCount == 0 ? nil : String(decoding: input[1..<1 + typeCount], as: UTF8.self)
    let body = input[(1 + typeCount)...]
    let isMultipart = contentType.map { MediaType.essence(of: $0) } == "multipart/form-data"

    if let contentType, let boundary = MultipartImage.boundary(in: contentType) {
        Invariants.require(!boundary.isEmpty && boundary.utf8.count <= 200, "boundary '\(boundary)' accepted")
        for part in MultipartImage.parts(of: body, boundary: boundary) {
            Invariants.require(
                part.content.isEmpty || body.range(of: part.content) != nil, "a part's content is not in the body")
        }
    }
    do {
        let image = try MultipartImage.image(from: body, contentType: contentType)
        Invariants.require(!image.isEmpty, "an empty image was accepted")
        if isMultipart {
            Invariants.require(image.count < body.count, "a multipart image is not smaller than its body")
            Invariants.require(body.range(of: image) != nil, "the multipart image is not a piece of the body")
        } else {
            Invariants.require(image == body, "a plain body was changed")
        }
    } catch {
        // A refused upload is a 400 with this message; it must say something.
        Invariants.require(!error.message.isEmpty, "an upload was refused without a message")
    }
    return 0
}

@main
enum FuzzMultipartImage {
    static func main() {
        FuzzerMain.run(fuzzMultipartImage)
    }
}
