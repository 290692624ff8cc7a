import Foundation

/// The body of `POST /v2/repository/index`: empty, or a JSON object whose optional `ready` is a
/// boolean (Triton's repository extension).
///
/// Checked before forwarding because Triton answers any other body with a 500, which would
/// otherwise reach the client as a server fault and count against the backend.
public enum RepositoryIndexRequest {
    /// Refuses a body Triton cannot take.
    ///
    /// - Throws: `badRequest` naming what is wrong.
    public static func check(_ body: Data?) throws(InferenceError) {
        guard let body, body.contains(where: { !Self.isWhitespace($0) }) else { return }
        if body.elementsEqual("null".utf8) { return }
        do {
            _ = try JSONDecoder().decode(Shape.self, from: body)
        } catch let error as InferenceError {
            throw error
        } catch {
            throw .badRequest("the repository index request body must be a JSON object")
        }
    }

    /// Decodes only to check: an object whose `ready`, when present, is a boolean (not null).
    private struct Shape: Decodable {
        enum Key: String, CodingKey { case ready }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            guard container.contains(.ready) else { return }
            guard (try? container.decodeNil(forKey: .ready)) != true,
                (try? container.decode(Bool.self, forKey: .ready)) != nil
            else { throw InferenceError.badRequest("'ready' in the repository index request must be true or false") }
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
