namespace BizKeys.Core.Notifications;

/// <summary>The events an account can hear about, as webhook <c>type</c>s and as the choices on Settings > Notifications.</summary>
public static class NotificationEvents
{
    public const string KeyRotated = "key.rotated";
    public const string KeyRevoked = "key.revoked";
    public const string KeyLeaked = "key.leaked";
    public const string KeyExpiring = "key.expiring";
    public const string KeyExpired = "key.expired";
    public const string KeyFailureSpike = "key.failure_spike";
    /// <summary>Weekly: the account's keys that nothing has used for <see cref="UnusedDays"/> days.</summary>
    public const string KeyUnused = "key.unused";
    public const int UnusedDays = 30;
    /// <summary>Sent by "Send test event" to one endpoint only.</summary>
    public const string Test = "webhook.test";

    /// <summary>What an endpoint can subscribe to, in the order the page lists them, with what each means.</summary>
    public static IReadOnlyList<(string Type, string Description)> Subscribable { get; } =
    [
        (KeyRotated, "A key's secret was rotated"),
        (KeyRevoked, "A key was revoked"),
        (KeyLeaked, "A key was revoked because its secret was reported as leaked"),
        (KeyExpiring, "A key expires in 30, 7 or 1 days"),
        (KeyExpired, "A key expired"),
        (KeyFailureSpike, "A key's failed requests jumped (at least 50 in an hour, as many as its successes)"),
        (KeyUnused, "Weekly: the keys nothing has used for 30 days"),
    ];

    public static bool IsSubscribable(string type) => Subscribable.Any(e => e.Type == type);

    public static string Describe(string type) => Subscribable.FirstOrDefault(e => e.Type == type).Description ?? type;
}
