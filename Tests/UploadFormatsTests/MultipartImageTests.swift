import Foundation
import InferenceProtocol
import Testing
import UploadFormats

@Suite("Upload formats: multipart image and media types")
struct MultipartImageTests {
    @Test("media types lose their parameters and case")
    func mediaTypes() {
        #expect(MediaType.essence(of: "Application/JSON; charset=utf-8") == "application/json")
        #expect(MediaType.essence(of: " image/png ") == "image/png")
        #expect(MediaType.essence(of: "; boundary=x") == "")
    }

    @Test("multipart: the image part is found by name, else the first file; bad bodies are 400")
    func multipart() throws {
        let body = Data(
            "preamble\r\n--XYZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XYZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\u{1}\u{2}\r\n\u{3}\r\n--XYZ--\r\n"
                .utf8)
        let image = try MultipartImage.image(from: body, contentType: "multipart/form-data; boundary=\"XYZ\"")
        #expect(image == Data([1, 2, 13, 10, 3]))
        #expect(MultipartImage.boundary(in: "multipart/form-data; charset=x; boundary=abc") == "abc")
        #expect(throws: InferenceError.self) {
            try MultipartImage.image(from: body, contentType: "multipart/form-data")
        }
        #expect(throws: InferenceError.self) {
            try MultipartImage.image(from: Data("junk".utf8), contentType: "multipart/form-data; boundary=XYZ")
        }
        #expect(throws: InferenceError.self) { try MultipartImage.image(from: Data(), contentType: "image/png") }
    }

    @Test("a raw body is the image; a file part is preferred over a plain field")
    func rawAndFilename() throws {
        #expect(try MultipartImage.image(from: Data([7]), contentType: nil) == Data([7]))
        let body = Data(
            "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nA\r\n--b\r\nContent-Disposition: form-data; name=\"y\"; filename=\"p.jpg\"\r\n\r\nB\r\n--b--\r\n"
                .utf8)
        #expect(try MultipartImage.image(from: body, contentType: "multipart/form-data; boundary=b") == Data("B".utf8))
    }
}
