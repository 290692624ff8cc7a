import PostgresClient

/// The platform's PostgreSQL schema, as versioned migrations for ``Migrator``.
///
/// Apply at start with `try await Migrator(pool: pool, logger: logger).apply(PlatformMigrations.all)`.
/// Never edit a migration that has shipped; append a new one.
public enum PlatformMigrations {
    /// Every migration, in version order.
    public static let all: [Migration] = [
        batchJobs, apiKeys, jobOwners, callbackOutbox, apiKeyChanges, shardedOutputs, resultFiles, openAIBatches,
        jobExpiry, itemRowsUnchecked, sharedRoutes, canaryDecisions,
    ]

    /// The channel ``apiKeyChanges`` notifies: each payload is the changed key's SHA-256 digest in
    /// lowercase hexadecimal (64 characters), or `*` when every key may have changed (`TRUNCATE`).
    public static let apiKeyChangesChannel = "api_key_changes"

    /// The channel a committed route change notifies (see ``RouteStore``): the payload is the
    /// change's version in decimal.
    public static let routeChangesChannel = "route_changes"

    /// Batch jobs and their items.
    ///
    /// `batch_jobs.total` is NULL while unknown (a job first seen from Kafka); such a job is never
    /// completed by counting. `succeeded + failed + skipped` counts items in a final state, each once.
    static let batchJobs = Migration(
        version: 1, name: "batch jobs and items",
        sql: """
            CREATE TABLE batch_jobs (
                id uuid PRIMARY KEY,
                model text NOT NULL,
                version text,
                status text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
                total integer CHECK (total IS NULL OR total >= 0),
                succeeded integer NOT NULL DEFAULT 0 CHECK (succeeded >= 0),
                failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
                skipped integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
                callback_url text,
                output_prefix text,
                error text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz
            );
            CREATE INDEX batch_jobs_status_created_at ON batch_jobs (status, created_at);

            CREATE TABLE batch_items (
                job_id uuid NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
                item_id text NOT NULL,
                status text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'succeeded', 'failed', 'skipped')),
                output_uri text,
                error text,
                attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                latency_ms double precision,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (job_id, item_id)
            );
            """)

    /// API keys, stored as SHA-256 digests only.
    static let apiKeys = Migration(
        version: 2, name: "api keys",
        sql: """
            CREATE TABLE api_keys (
                id uuid PRIMARY KEY,
                hash bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
                prefix text NOT NULL,
                principal text NOT NULL,
                scopes text[] NOT NULL DEFAULT '{}',
                rate_limit integer CHECK (rate_limit IS NULL OR rate_limit > 0),
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz
            );
            CREATE INDEX api_keys_principal ON api_keys (principal);
            """)

    /// The principal that owns each batch job. NULL for jobs created before owners existed and
    /// for jobs produced to Kafka without an owner: only an administrator sees those.
    static let jobOwners = Migration(
        version: 3, name: "job owners",
        sql: """
            ALTER TABLE batch_jobs ADD COLUMN owner text CHECK (owner IS NULL OR length(owner) BETWEEN 1 AND 256);
            CREATE INDEX batch_jobs_owner_created_at ON batch_jobs (owner, created_at);
            """)

    /// Job callbacks waiting to be delivered, delivered, or given up: the durable outbox the
    /// delivery loop drains (``CallbackOutbox``).
    ///
    /// One row per job. `attempts` counts attempts started (a claim counts one), so a worker
    /// that dies mid-attempt still uses up the budget; a claimed row is not due again until
    /// `next_attempt_at`, which the claim moves past the attempt's lease.
    static let callbackOutbox = Migration(
        version: 4, name: "callback outbox",
        sql: """
            CREATE TABLE callback_outbox (
                job_id uuid PRIMARY KEY REFERENCES batch_jobs (id) ON DELETE CASCADE,
                url text NOT NULL,
                body text NOT NULL,
                status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
                attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                last_error text,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                claim uuid,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz
            );
            CREATE INDEX callback_outbox_due ON callback_outbox (next_attempt_at) WHERE status = 'pending';
            """)

    /// Tells listening gateways which API key changed, so they drop it from their caches at once
    /// (``apiKeyChangesChannel``): a revocation (`revoked_at` set or cleared), a deletion, or a
    /// change of principal, scopes, rate limit or digest. The notification is sent when the
    /// transaction commits, and not at all when it rolls back. A new key needs none: nothing
    /// caches it as valid before it exists.
    static let apiKeyChanges = Migration(
        version: 5, name: "api key change notifications",
        sql: """
            CREATE FUNCTION api_keys_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    PERFORM pg_notify('api_key_changes', '*');
                    RETURN NULL;
                END IF;
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('api_key_changes', encode(OLD.hash, 'hex'));
                    RETURN NULL;
                END IF;
                IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at
                    OR NEW.principal IS DISTINCT FROM OLD.principal
                    OR NEW.scopes IS DISTINCT FROM OLD.scopes
                    OR NEW.rate_limit IS DISTINCT FROM OLD.rate_limit
                    OR NEW.hash IS DISTINCT FROM OLD.hash
                THEN
                    PERFORM pg_notify('api_key_changes', encode(OLD.hash, 'hex'));
                END IF;
                IF NEW.hash IS DISTINCT FROM OLD.hash THEN
                    PERFORM pg_notify('api_key_changes', encode(NEW.hash, 'hex'));
                END IF;
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER api_keys_notify_change AFTER UPDATE OR DELETE ON api_keys
                FOR EACH ROW EXECUTE FUNCTION api_keys_notify_change();
            CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON api_keys
                FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify_change();
            """)

    /// Outputs live in shared JSON Lines objects (shards): a succeeded item's row says where its
    /// line is in the object at `output_uri`. Rows written before have neither (their object is
    /// the item's own).
    static let shardedOutputs = Migration(
        version: 6, name: "sharded outputs",
        sql: """
            ALTER TABLE batch_items ADD COLUMN output_offset bigint, ADD COLUMN output_length integer;
            """)

    /// Finished jobs get result files: each item keeps its place in the job's input (`position`,
    /// NULL for items from producers that send none) and its failure's code; a job records the
    /// keys of its `output.jsonl` and `errors.jsonl` once both are written, and its priority.
    static let resultFiles = Migration(
        version: 7, name: "result files and priorities",
        sql: """
            ALTER TABLE batch_items ADD COLUMN position bigint CHECK (position IS NULL OR position >= 0),
                ADD COLUMN error_code text;
            CREATE INDEX batch_items_input_order ON batch_items (job_id, (COALESCE(position, \(Int64.max))), item_id);
            ALTER TABLE batch_jobs ADD COLUMN output_file_key text, ADD COLUMN error_file_key text,
                ADD COLUMN priority text NOT NULL DEFAULT 'normal'
                    CHECK (priority IN ('low', 'normal', 'high', 'urgent'));
            """)

    /// The OpenAI Batch API's files (their bytes live in S3) and the OpenAI-shaped fields of the
    /// jobs created through it; a job's lines that could not become items are counted here and
    /// written to `input_error_key`.
    static let openAIBatches = Migration(
        version: 8, name: "openai batch files",
        sql: """
            CREATE TABLE batch_files (
                id text PRIMARY KEY,
                owner text CHECK (owner IS NULL OR length(owner) BETWEEN 1 AND 256),
                purpose text NOT NULL,
                filename text NOT NULL,
                bytes bigint NOT NULL CHECK (bytes >= 0),
                object_key text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX batch_files_owner_created_at ON batch_files (owner, created_at);
            CREATE TABLE openai_batches (
                job_id uuid PRIMARY KEY REFERENCES batch_jobs (id) ON DELETE CASCADE,
                input_file_id text NOT NULL,
                endpoint text NOT NULL,
                completion_window text NOT NULL,
                metadata text,
                input_errors integer NOT NULL DEFAULT 0 CHECK (input_errors >= 0),
                input_error_key text,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX openai_batches_created_at ON openai_batches (created_at, job_id);
            """)

    /// A job may have a deadline (`expires_at`, from its completion window): items not finished
    /// by then fail with `error_code = 'expired'`, and a job whose last item is counted with any
    /// expired item ends `expired` instead of `completed`.
    static let jobExpiry = Migration(
        version: 9, name: "job expiry",
        sql: """
            ALTER TABLE batch_jobs ADD COLUMN expires_at timestamptz,
                DROP CONSTRAINT batch_jobs_status_check,
                ADD CONSTRAINT batch_jobs_status_check
                    CHECK (status IN ('queued', 'running', 'completed', 'expired', 'failed', 'cancelled'));
            """)

    /// Item rows are written without a foreign-key check on `batch_jobs`: the check took a
    /// `FOR KEY SHARE` lock on the job's row for every item row while the job's counter was
    /// updated in the same transactions, which made a group's insert 2.6 times slower (pgbench,
    /// 64-row groups of one job). The writers keep the guarantee: a result for a job that does
    /// not exist is rolled back by the counter update that finds no row, and an attempt is
    /// inserted only for an existing job. Jobs are never deleted by the platform.
    static let itemRowsUnchecked = Migration(
        version: 10, name: "item rows without a foreign key",
        sql: """
            ALTER TABLE batch_items DROP CONSTRAINT batch_items_job_id_fkey;
            """)

    /// Model routes shared by every router replica: each change is a row of `route_changes`
    /// (versioned, with who and when: the audit trail), and `routes` holds each model's latest
    /// route with the version it came from.
    static let sharedRoutes = Migration(
        version: 11, name: "shared routes",
        sql: """
            CREATE TABLE route_changes (
                version bigserial PRIMARY KEY,
                model text NOT NULL,
                route jsonb NOT NULL,
                changed_by text NOT NULL,
                changed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX route_changes_by_model ON route_changes (model, version DESC);
            CREATE TABLE routes (
                model text PRIMARY KEY,
                route jsonb NOT NULL,
                version bigint NOT NULL REFERENCES route_changes (version)
            );
            """)

    /// Every step a router's canary rollout took (promote, complete, rollback), with why.
    static let canaryDecisions = Migration(
        version: 12, name: "canary decisions",
        sql: """
            CREATE TABLE canary_decisions (
                id bigserial PRIMARY KEY,
                model text NOT NULL,
                action text NOT NULL,
                canary_percent integer NOT NULL,
                reason text NOT NULL,
                decided_by text NOT NULL,
                decided_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX canary_decisions_by_model ON canary_decisions (model, id DESC);
            """)
}
