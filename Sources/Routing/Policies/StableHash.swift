/// A hash that never changes between runs, processes or machines (unlike Swift's `Hasher`).
///
/// FNV-1a 64 over the UTF-8 bytes, followed by a 64-bit mixing step so that keys differing only
/// in their last characters still spread over every bucket. Not for security.
public enum StableHash {
    private static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The plain FNV-1a 64 hash of `key`'s UTF-8 bytes.
    public static func fnv1a64(_ key: String) -> UInt64 {
        var hash = offsetBasis
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= prime
        }
        return hash
    }

    /// FNV-1a 64 of `key`, then mixed; use it to map keys onto buckets.
    public static func hash(_ key: String) -> UInt64 {
        var value = fnv1a64(key)
        value ^= value >> 33
        value &*= 0xFF51_AFD7_ED55_8CCD
        value ^= value >> 33
        value &*= 0xC4CE_B9FE_1A85_EC53
        value ^= value >> 33
        return value
    }

    /// The bucket in `0..<count` for `key`; the same key always gets the same bucket.
    public static func bucket(_ key: String, count: Int) -> Int {
        precondition(count > 0, "bucket count must be positive")
        return Int(hash(key) % UInt64(count))
    }
}
