import BatchProtocol
import Foundation
import Hummingbird
import UploadFormats

extension BatchRoutes {
    /// Reads a JSON Lines body as it arrives: every complete line is parsed, validated and handed
    /// to a ``BatchIntake`` (which publishes a chunk at a time), so memory holds one line and one
    /// chunk whatever the body's size. Returns the job and its total.
    ///
    /// A body past ``maxBodyBytes`` (chunked or not) or a line past ``maxLineBytes`` is refused
    /// with 413, a bad line with 400 naming it; the job, if one was started, is then abandoned.
    func submitLines(
        _ body: RequestBody, header: BatchSubmission, caller: BatchCaller
    ) async throws -> (UUID, Int) {
        var intake = try submitter.intake(for: header, owner: caller.owner, admit: admit)
        var reader = JSONLinesReader(maxLineBytes: maxLineBytes)
        var received = 0
        do {
            for try await chunk in body {
                received += chunk.readableBytes
                guard received <= maxBodyBytes else {
                    throw HTTPError(
                        .contentTooLarge, message: "the request body exceeds the limit of \(maxBodyBytes) bytes")
                }
                reader.append(chunk.readableBytesView)
                try await drain(&reader, into: &intake)
            }
            reader.finish()
            try await drain(&reader, into: &intake)
            let total = try await intake.finish()
            submitter.logger.info(
                "batch.submit.accepted",
                metadata: [BatchLogKey.jobID: "\(intake.jobID)", BatchLogKey.items: "\(total)"])
            return (intake.jobID, total)
        } catch let error as JSONLinesReaderError {
            await intake.abandon(reason: "the upload was refused: \(error)")
            throw HTTPError(
                .contentTooLarge,
                message: "\(error); an item's line may be at most \(maxLineBytes) bytes")
        } catch let refusal as BatchAdmissionRefusal {
            throw refusal
        } catch let error as BatchWorkerError where error.isInvalidSubmission {
            await intake.abandon(reason: "the upload was refused: \(error.reason)")
            throw error
        } catch let error as HTTPError {
            await intake.abandon(reason: "the upload was refused: \(error.body ?? "too large")")
            throw error
        } catch {
            await intake.abandon(reason: "the upload did not complete")
            throw error
        }
    }

    private func drain(_ reader: inout JSONLinesReader, into intake: inout BatchIntake) async throws {
        while let line = try reader.nextLine() {
            let label = "line \(line.number)"
            try await intake.add(try BatchSubmission.parseLine(line.bytes, label: label), label: label)
        }
    }
}
