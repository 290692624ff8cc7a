import RedisClient

/// The Lua script that runs ``GCRA`` atomically inside Redis, over every key it is given.
///
/// One call reads each key's TAT, decides, and, only when every key admits the request, stores
/// all new TATs with an expiry at the moment each would stop mattering. The clock is Redis's own
/// (`TIME`, allowed before writes under effects replication, the default since Redis 7), so the
/// application servers' clocks play no part.
///
/// `KEYS`: one key per limit. `ARGV`: cost, a clock override in microseconds (empty: use
/// `TIME`; only tests pass one), then emission interval (µs) and burst for each key.
/// Returns `{allowed (0/1), limit, remaining, retry_after_ms, reset_after_ms}`.
///
/// In Redis Cluster all keys of one call must share a slot: ``RateLimitKeys`` gives them the
/// same `{principal}` hash tag.
public enum GCRAScript {
    /// The script, with its SHA1 for `EVALSHA`.
    public static let script = RedisScript(source)

    /// The Lua source; every number stays an integer below 2^53, so Lua's doubles are exact.
    static let source = """
        local cost = tonumber(ARGV[1])
        local now
        if ARGV[2] == '' then
          local clock = redis.call('TIME')
          now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        else
          now = tonumber(ARGV[2])
        end
        local count = #KEYS
        local intervals, bursts, tolerances, current, proposed = {}, {}, {}, {}, {}
        local allowed = true
        for i = 1, count do
          intervals[i] = tonumber(ARGV[1 + 2 * i])
          bursts[i] = tonumber(ARGV[2 + 2 * i])
          tolerances[i] = intervals[i] * bursts[i]
          local tat = tonumber(redis.call('GET', KEYS[i])) or now
          if tat < now then tat = now end
          current[i] = tat
          proposed[i] = tat + intervals[i] * cost
          if proposed[i] - tolerances[i] > now then allowed = false end
        end
        local best, best_remaining, best_reset, best_retry = 0, 0, 0, 0
        for i = 1, count do
          local effective = current[i]
          if allowed then effective = proposed[i] end
          local remaining = math.floor((now + tolerances[i] - effective) / intervals[i])
          if remaining < 0 then remaining = 0 end
          if remaining > bursts[i] then remaining = bursts[i] end
          local reset = effective - now
          local retry = proposed[i] - tolerances[i] - now
          if allowed then
            if best == 0 or remaining < best_remaining or (remaining == best_remaining and reset > best_reset) then
              best, best_remaining, best_reset, best_retry = i, remaining, reset, 0
            end
          elseif retry > 0 and (best == 0 or retry > best_retry) then
            best, best_remaining, best_reset, best_retry = i, remaining, reset, retry
          end
        end
        if allowed then
          for i = 1, count do
            local ttl = math.ceil((proposed[i] - now) / 1000)
            if ttl < 1 then ttl = 1 end
            redis.call('SET', KEYS[i], string.format('%.0f', proposed[i]), 'PX', string.format('%.0f', ttl))
          end
        end
        return {allowed and 1 or 0, bursts[best], best_remaining, math.ceil(best_retry / 1000), math.ceil(best_reset / 1000)}
        """

    /// The `ARGV` for a call: cost, clock override (empty for Redis's clock), then each limit.
    static func arguments(limits: [GCRA.Limit], cost: Int, nowOverride: Int64? = nil) -> [String] {
        var arguments = [String(cost), nowOverride.map(String.init) ?? ""]
        for limit in limits {
            arguments.append(String(limit.emissionInterval))
            arguments.append(String(limit.burst))
        }
        return arguments
    }

    /// Reads the script's reply into a decision.
    static func decision(from reply: RedisReply) throws(RedisClientError) -> RateLimitDecision {
        guard let values = reply.arrayValue?.compactMap(\.intValue), values.count == 5 else {
            throw RedisClientError(code: .protocolError, message: "the rate limit script returned an unexpected reply")
        }
        return RateLimitDecision(
            allowed: values[0] == 1,
            limit: Int(values[1]),
            remaining: Int(values[2]),
            resetAfter: .milliseconds(values[4]),
            retryAfter: .milliseconds(values[3])
        )
    }
}
