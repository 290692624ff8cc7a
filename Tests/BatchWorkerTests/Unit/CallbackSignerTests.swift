import Foundation
import Testing

@testable import BatchWorker

@Suite("Callback signing")
struct CallbackSignerTests {
    let signer = CallbackSigner(secret: "test-secret")
    let body = Data(#"{"job_id":"abc","status":"completed"}"#.utf8)

    @Test("the signature is v1= and HMAC-SHA256 of timestamp.body (values from the openssl command line)")
    func knownAnswers() {
        #expect(
            signer.signature(timestamp: 1_700_000_000, body: body)
                == "v1=479ccc3f81207d6620af7eaed1e72ed1e6e1b4296ec1c2266920d0cae0308566")
        #expect(
            signer.signature(timestamp: 1_700_000_000, body: Data())
                == "v1=02135fb92b9e5ac01b6ffb10fb1ce695acf10403dc760ecd132a9fd9d96d71d1")
    }

    @Test("verification accepts a fresh signature and refuses a changed body, timestamp, secret or a replay")
    func verification() {
        let now = Date(timeIntervalSince1970: 1_700_000_100)
        let signature = signer.signature(timestamp: 1_700_000_000, body: body)
        #expect(signer.verify(signature: signature, timestamp: 1_700_000_000, body: body, now: now))
        #expect(!signer.verify(signature: signature, timestamp: 1_700_000_001, body: body, now: now))
        #expect(!signer.verify(signature: signature, timestamp: 1_700_000_000, body: body + Data(" ".utf8), now: now))
        #expect(
            !CallbackSigner(secret: "other").verify(
                signature: signature, timestamp: 1_700_000_000, body: body, now: now))
        #expect(!signer.verify(signature: String(signature.dropLast()), timestamp: 1_700_000_000, body: body, now: now))
        let later = Date(timeIntervalSince1970: 1_700_000_000 + 301)
        #expect(!signer.verify(signature: signature, timestamp: 1_700_000_000, body: body, now: later))
        let earlier = Date(timeIntervalSince1970: 1_700_000_000 - 301)
        #expect(!signer.verify(signature: signature, timestamp: 1_700_000_000, body: body, now: earlier))
    }
}
