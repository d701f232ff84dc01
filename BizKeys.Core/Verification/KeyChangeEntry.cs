namespace BizKeys.Core.Verification;

/// <summary>
/// One line of the ordered key-change log: a key of an account changed (created, edited, rotated, revoked), written
/// in the transaction that changes it. Every process that caches keys follows the log by <see cref="Seq"/>, so a
/// process that was away (a lost connection, a restart, another program on the same SQLite file) catches up from the
/// last line it applied and misses nothing (docs/decisions/014).
/// </summary>
public sealed class KeyChangeEntry
{
    /// <summary>Increases in commit order (PostgreSQL takes a lock for it; SQLite has one writer at a time).</summary>
    public long Seq { get; set; }
    public required string Key { get; set; }
    public Guid AccountId { get; set; }
    public DateTime At { get; set; }
}
