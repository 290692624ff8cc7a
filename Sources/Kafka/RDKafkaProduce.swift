import CRdkafka

/// Hands one message to `rd_kafka_produceva`, copying topic, key, value and headers.
enum RDKafkaProduce {
    /// A failed produce call: librdkafka's error code and text.
    struct Failure: Error {
        let code: rd_kafka_resp_err_t
        let reason: String

        var isQueueFull: Bool { code == RD_KAFKA_RESP_ERR__QUEUE_FULL }
    }

    /// Enqueues the message; on success its delivery report later carries `opaque`.
    static func produce(
        handle: OpaquePointer,
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [KafkaHeader],
        opaque: UnsafeMutableRawPointer
    ) -> Failure? {
        withHeaderArguments(headers) { headerArguments in
            topic.withCString { topicName in
                value.withUnsafeBytes { valueBytes in
                    withOptionalBytes(key) { keyBytes in
                        var arguments: [rd_kafka_vu_t] = []
                        arguments.reserveCapacity(5 + headerArguments.count)
                        var argument = rd_kafka_vu_t()
                        argument.vtype = RD_KAFKA_VTYPE_TOPIC
                        argument.u.cstr = topicName
                        arguments.append(argument)
                        argument = rd_kafka_vu_t()
                        argument.vtype = RD_KAFKA_VTYPE_VALUE
                        argument.u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                        argument.u.mem.size = valueBytes.count
                        arguments.append(argument)
                        if let keyBytes {
                            argument = rd_kafka_vu_t()
                            argument.vtype = RD_KAFKA_VTYPE_KEY
                            argument.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                            argument.u.mem.size = keyBytes.count
                            arguments.append(argument)
                        }
                        argument = rd_kafka_vu_t()
                        argument.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                        argument.u.i = RD_KAFKA_MSG_F_COPY
                        arguments.append(argument)
                        argument = rd_kafka_vu_t()
                        argument.vtype = RD_KAFKA_VTYPE_OPAQUE
                        argument.u.ptr = opaque
                        arguments.append(argument)
                        arguments.append(contentsOf: headerArguments)
                        guard let error = rd_kafka_produceva(handle, arguments, arguments.count) else { return nil }
                        // The error object is ours to free.
                        defer { rd_kafka_error_destroy(error) }
                        return Failure(
                            code: rd_kafka_error_code(error), reason: String(cString: rd_kafka_error_string(error)))
                    }
                }
            }
        }
    }

    private static func withOptionalBytes<Result>(
        _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        guard let bytes else { return body(nil) }
        return bytes.withUnsafeBytes { body($0) }
    }

    /// Builds `RD_KAFKA_VTYPE_HEADER` arguments whose names and values live in one scratch
    /// buffer for the duration of `body` (librdkafka copies them).
    private static func withHeaderArguments<Result>(
        _ headers: [KafkaHeader], _ body: ([rd_kafka_vu_t]) -> Result
    ) -> Result {
        guard !headers.isEmpty else { return body([]) }
        let size = headers.reduce(0) { $0 + $1.name.utf8.count + 1 + ($1.value?.count ?? 0) }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 1)
        defer { scratch.deallocate() }
        var arguments: [rd_kafka_vu_t] = []
        var cursor = 0
        for header in headers {
            let name = scratch.baseAddress! + cursor
            for byte in header.name.utf8 {
                scratch[cursor] = byte
                cursor += 1
            }
            scratch[cursor] = 0
            cursor += 1
            var argument = rd_kafka_vu_t()
            argument.vtype = RD_KAFKA_VTYPE_HEADER
            argument.u.header.name = UnsafePointer(name.assumingMemoryBound(to: CChar.self))
            if let value = header.value {
                let start = scratch.baseAddress! + cursor
                value.withUnsafeBytes {
                    UnsafeMutableRawBufferPointer(start: start, count: value.count).copyMemory(from: $0)
                }
                cursor += value.count
                argument.u.header.val = UnsafeRawPointer(start)
                argument.u.header.size = value.count
            } else {
                argument.u.header.val = nil
                argument.u.header.size = 0
            }
            arguments.append(argument)
        }
        return body(arguments)
    }
}
