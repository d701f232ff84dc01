namespace BizKeys.Core.Notifications;

/// <summary>
/// Where an account's webhooks go: a URL, the events it wants, on or off, and its signing secret — stored only
/// encrypted with ASP.NET Core data protection (the sender needs it back to sign; nothing else ever reads it).
/// </summary>
public sealed class WebhookEndpoint
{
    public const int UrlMaxLength = 2048;
    public const int DescriptionMaxLength = 200;

    private WebhookEndpoint()
    {
    }

    public Guid Id { get; private set; }
    public Guid AccountId { get; private set; }
    public string Url { get; private set; } = "";
    public string Description { get; private set; } = "";
    public List<string> Events { get; private set; } = [];
    public bool Enabled { get; private set; }
    /// <summary>The signing secret (<c>whsec_…</c>) encrypted by data protection.</summary>
    public string ProtectedSecret { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime UpdatedAt { get; private set; }

    public static WebhookEndpoint Create(Guid accountId, string url, string description, IEnumerable<string> events, string protectedSecret, DateTime now, Actor actor) => new()
    {
        Id = Guid.CreateVersion7(),
        AccountId = accountId,
        Url = url.Trim(),
        Description = description.Trim(),
        Events = [.. events.Distinct().Order(StringComparer.Ordinal)],
        Enabled = true,
        ProtectedSecret = protectedSecret,
        CreatedAt = now,
        CreatedBy = actor.Name,
        UpdatedAt = now,
    };

    public void Change(string url, string description, IEnumerable<string> events, bool enabled, DateTime now)
    {
        Url = url.Trim();
        Description = description.Trim();
        Events = [.. events.Distinct().Order(StringComparer.Ordinal)];
        Enabled = enabled;
        UpdatedAt = now;
    }

    public void ReplaceSecret(string protectedSecret, DateTime now)
    {
        ProtectedSecret = protectedSecret;
        UpdatedAt = now;
    }

    public bool Wants(string type) => Enabled && (type == NotificationEvents.Test || Events.Contains(type));
}

/// <summary>
/// One event to tell an account about, written in the same transaction as the change that causes it. The sender
/// fans it out to the account's endpoints; its id is the <c>webhook-id</c> every retry repeats.
/// </summary>
public sealed class OutboxMessage
{
    public const int TypeMaxLength = 64;

    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public string Type { get; set; } = "";
    /// <summary>The webhook body, versioned JSON; never a secret or a digest.</summary>
    public string Payload { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>When the sender made a delivery of it for each endpoint that wants it (null: not yet).</summary>
    public DateTime? DispatchedAt { get; set; }
    /// <summary>When the mailer made the mails of it for the account's email recipients (null: not yet).</summary>
    public DateTime? MailedAt { get; set; }
    /// <summary>Set for a test event: the one endpoint it is for.</summary>
    public Guid? OnlyEndpointId { get; set; }

    /// <summary>The <c>webhook-id</c> header: stable across retries, so receivers can drop duplicates.</summary>
    public string WebhookId => "msg_" + Id.ToString("N");
}

public enum DeliveryStatus
{
    Pending,
    Delivered,
    /// <summary>Gave up: 24 hours of retries, or an answer that retrying cannot change.</summary>
    Failed,
}

/// <summary>One message to one endpoint: its attempts so far and the next one.</summary>
public sealed class WebhookDelivery
{
    public const int ErrorMaxLength = 300;

    public Guid Id { get; set; }
    public Guid MessageId { get; set; }
    public Guid EndpointId { get; set; }
    public Guid AccountId { get; set; }
    public string Type { get; set; } = "";
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>When the event was queued for this endpoint (the log's order).</summary>
    public DateTime CreatedAt { get; set; }
    /// <summary>Start of the current 24 hours of retries: the creation, or the last Resend.</summary>
    public DateTime RetryingSince { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public int? LastLatencyMs { get; set; }
    public string? LastError { get; set; }
    /// <summary>An instance that is sending it holds it until then; another may take it over after.</summary>
    public DateTime? LockedUntil { get; set; }
}
