namespace BizKeys.Core;

/// <summary>When a failed delivery (a webhook, a mail) is tried again.</summary>
public static class Retries
{
    /// <summary>How long a delivery is retried before it is marked failed.</summary>
    public static readonly TimeSpan For = TimeSpan.FromHours(24);

    /// <summary>5 s after the first failure, doubling to at most an hour, ±20 %: receivers that come back are not hit in step.</summary>
    public static TimeSpan Backoff(int attempts)
    {
        var seconds = Math.Min(3600, 5 * Math.Pow(2, Math.Max(0, attempts - 1)));
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }
}
