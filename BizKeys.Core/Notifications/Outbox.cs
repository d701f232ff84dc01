using System.Text.Json;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;

namespace BizKeys.Core.Notifications;

/// <summary>
/// Writes notifications into the outbox of the context that makes the change, so they are committed with it or not
/// at all. Payloads are versioned JSON: the type, the time, the account and the key's identifier, name and
/// environment, and the facts of the event — never a secret or a digest.
/// </summary>
public static class Outbox
{
    public const int PayloadVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="facts">What the event adds to the key's identifier, name and environment (camel-case names).</param>
    public static OutboxMessage Add(BizKeysDbContext db, ApiKey key, string type, DateTime now, IReadOnlyDictionary<string, object?>? facts = null)
    {
        var message = new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            AccountId = key.AccountId,
            Type = type,
            CreatedAt = now,
        };
        var data = new Dictionary<string, object?> { ["key"] = key.Key, ["name"] = key.Name, ["environment"] = key.Environment };
        foreach (var (name, value) in facts ?? new Dictionary<string, object?>())
            data[name] = value;
        message.Payload = Payload(message, data);
        db.OutboxMessages.Add(message);
        return message;
    }

    /// <summary>An event about the account as a whole (the weekly unused-keys digest).</summary>
    public static OutboxMessage AddForAccount(BizKeysDbContext db, Guid accountId, string type, DateTime now, object data)
    {
        var message = new OutboxMessage { Id = Guid.CreateVersion7(), AccountId = accountId, Type = type, CreatedAt = now };
        message.Payload = Payload(message, data);
        db.OutboxMessages.Add(message);
        return message;
    }

    /// <summary>A test event for one endpoint, with nothing of any key in it.</summary>
    public static OutboxMessage AddTest(BizKeysDbContext db, WebhookEndpoint endpoint, DateTime now)
    {
        var message = new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            AccountId = endpoint.AccountId,
            Type = NotificationEvents.Test,
            CreatedAt = now,
            OnlyEndpointId = endpoint.Id,
        };
        message.Payload = Payload(message, new { endpoint = endpoint.Id, message = "A test event from BizKeys: this endpoint receives and verifies webhooks." });
        db.OutboxMessages.Add(message);
        return message;
    }

    private static string Payload(OutboxMessage message, object data) => JsonSerializer.Serialize(new
    {
        version = PayloadVersion,
        id = message.WebhookId,
        type = message.Type,
        timestamp = message.CreatedAt,
        account = message.AccountId,
        data,
    }, Json);
}
