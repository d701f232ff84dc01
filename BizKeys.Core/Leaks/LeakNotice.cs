namespace BizKeys.Core.Leaks;

/// <summary>
/// A key of the account revoked because its secret was reported as leaked: its owners see it on the API Keys page
/// until one of them acknowledges it.
/// </summary>
public sealed class LeakNotice
{
    private LeakNotice()
    {
    }

    public long Id { get; private set; }
    public Guid AccountId { get; private set; }
    public Guid KeyId { get; private set; }
    public string Key { get; private set; } = "";
    public string KeyName { get; private set; } = "";
    public DateTime ReportedAt { get; private set; }
    public DateTime? AcknowledgedAt { get; private set; }
    public string? AcknowledgedBy { get; private set; }

    public static LeakNotice For(ApiKeys.ApiKey key, DateTime now) => new()
    {
        AccountId = key.AccountId,
        KeyId = key.Id,
        Key = key.Key,
        KeyName = key.Name,
        ReportedAt = now,
    };

    public void Acknowledge(Actor actor, DateTime now)
    {
        AcknowledgedAt = now;
        AcknowledgedBy = actor.Name;
    }
}
