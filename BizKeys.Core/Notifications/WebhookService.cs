using System.Net;
using BizKeys.Core.Access;
using BizKeys.Core.Configuration;
using BizKeys.Core.Data;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Notifications;

public sealed record WebhookEndpointView(Guid Id, string Url, string Description, IReadOnlyList<string> Events, bool Enabled, DateTime CreatedAt,
    DeliveryStatus? LastStatus, DateTime? LastAttemptAt);

/// <summary>An endpoint with its signing secret: returned when it is made or its secret replaced, and never again.</summary>
public sealed record IssuedWebhookSecret(WebhookEndpointView Endpoint, string Secret);

public sealed record WebhookDeliveryView(Guid Id, string Type, string WebhookId, DeliveryStatus Status, int Attempts, DateTime CreatedAt,
    DateTime? LastAttemptAt, int? LastStatusCode, int? LastLatencyMs, string? LastError, DateTime? NextAttemptAt);

public sealed class WebhookRequest
{
    public Guid AccountId { get; set; }
    public string Url { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> Events { get; set; } = [];
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// An account's webhook endpoints (Settings > Notifications): owners add, change, test and remove them; members
/// see them. The signing secret is shown once and kept only encrypted.
/// </summary>
public sealed class WebhookService(
    IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, IDataProtectionProvider protection, IOptions<BizKeysOptions> options, TimeProvider time)
{
    public const string ProtectionPurpose = "BizKeys.Webhooks.SigningSecret";
    public const int MaxEndpointsPerAccount = 20;

    private IDataProtector Protector => protection.CreateProtector(ProtectionPurpose);
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.AccountId == accountId).OrderBy(e => e.CreatedAt).ToListAsync(ct);
        var views = new List<WebhookEndpointView>();
        foreach (var endpoint in endpoints) // a handful at most (MaxEndpointsPerAccount)
        {
            var last = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpoint.Id && d.LastAttemptAt != null)
                .OrderByDescending(d => d.LastAttemptAt).FirstOrDefaultAsync(ct);
            views.Add(View(endpoint, last));
        }
        return views;
    }

    public async Task<IssuedWebhookSecret> CreateAsync(WebhookRequest request, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, request.AccountId, AccountNeed.ManageSettings, ct);
        await ValidateAsync(request, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.WebhookEndpoints.CountAsync(e => e.AccountId == request.AccountId, ct) >= MaxEndpointsPerAccount)
            throw Invalid(nameof(request.Url), $"An account has at most {MaxEndpointsPerAccount} webhook endpoints.");
        var secret = WebhookSigner.NewSecret();
        var endpoint = WebhookEndpoint.Create(request.AccountId, request.Url, request.Description, request.Events, Protector.Protect(secret), Now, actor);
        db.WebhookEndpoints.Add(endpoint);
        db.AuditEntries.Add(Audit.AuditEntry.Create(request.AccountId, actor, Audit.AuditActions.WebhookChanged, endpoint.Url,
            $"Webhook endpoint added for {string.Join(", ", endpoint.Events)}", Now));
        await db.SaveChangesAsync(ct);
        return new IssuedWebhookSecret(View(endpoint, null), secret);
    }

    public async Task<WebhookEndpointView> UpdateAsync(Guid endpointId, WebhookRequest request, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, request.AccountId, AccountNeed.ManageSettings, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await FindAsync(db, request.AccountId, endpointId, ct);
        // The address is checked again only when it changes: an endpoint whose name stopped resolving can still be switched off.
        var unchanged = request.Url is { } asked && string.Equals(endpoint.Url, asked.Trim(), StringComparison.Ordinal);
        await ValidateAsync(request, ct, checkAddress: !unchanged);
        endpoint.Change(request.Url, request.Description, request.Events, request.Enabled, Now);
        db.AuditEntries.Add(Audit.AuditEntry.Create(request.AccountId, actor, Audit.AuditActions.WebhookChanged, endpoint.Url,
            $"Webhook endpoint {(endpoint.Enabled ? "on" : "off")} for {string.Join(", ", endpoint.Events)}", Now));
        await db.SaveChangesAsync(ct);
        return View(endpoint, null);
    }

    public async Task DeleteAsync(Guid accountId, Guid endpointId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageSettings, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await FindAsync(db, accountId, endpointId, ct);
        db.WebhookEndpoints.Remove(endpoint);
        db.AuditEntries.Add(Audit.AuditEntry.Create(accountId, actor, Audit.AuditActions.WebhookChanged, endpoint.Url, "Webhook endpoint removed", Now));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A new signing secret, shown once; the old one stops signing at once.</summary>
    public async Task<IssuedWebhookSecret> RotateSecretAsync(Guid accountId, Guid endpointId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageSettings, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await FindAsync(db, accountId, endpointId, ct);
        var secret = WebhookSigner.NewSecret();
        endpoint.ReplaceSecret(Protector.Protect(secret), Now);
        db.AuditEntries.Add(Audit.AuditEntry.Create(accountId, actor, Audit.AuditActions.WebhookChanged, endpoint.Url, "Webhook signing secret replaced", Now));
        await db.SaveChangesAsync(ct);
        return new IssuedWebhookSecret(View(endpoint, null), secret);
    }

    /// <summary>Queues a test event for this endpoint alone (sent within a second or two).</summary>
    public async Task SendTestAsync(Guid accountId, Guid endpointId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageSettings, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await FindAsync(db, accountId, endpointId, ct);
        if (!endpoint.Enabled)
            throw Invalid("Enabled", "This endpoint is switched off: switch it on to send it a test event.");
        Outbox.AddTest(db, endpoint, Now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The endpoint's latest deliveries, newest first.</summary>
    public async Task<IReadOnlyList<WebhookDeliveryView>> DeliveriesAsync(Guid accountId, Guid endpointId, Actor actor, int take = 50, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await FindAsync(db, accountId, endpointId, ct);
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
        return [.. rows.Select(d => new WebhookDeliveryView(d.Id, d.Type, "msg_" + d.MessageId.ToString("N"), d.Status, d.Attempts, d.CreatedAt,
            d.LastAttemptAt, d.LastStatusCode, d.LastLatencyMs, d.LastError, d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null))];
    }

    /// <summary>Sends a failed delivery again now, with another 24 hours of retries (same webhook-id).</summary>
    public async Task ResendAsync(Guid accountId, Guid deliveryId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageSettings, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.AccountId == accountId, ct)
            ?? throw new Access.AccountNotFoundException();
        if (delivery.Status != DeliveryStatus.Failed)
            throw Invalid("Delivery", "Only a failed delivery can be sent again.");
        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0; // a fresh 24 hours, from 5 seconds apart again
        delivery.RetryingSince = Now;
        delivery.NextAttemptAt = Now;
        delivery.LockedUntil = null;
        await db.SaveChangesAsync(ct);
    }

    private async Task ValidateAsync(WebhookRequest request, CancellationToken ct, bool checkAddress = true)
    {
        request.Url = (request.Url ?? "").Trim();
        request.Description = (request.Description ?? "").Trim();
        request.Events ??= [];
        if (request.Url.Length > WebhookEndpoint.UrlMaxLength)
            throw Invalid(nameof(request.Url), $"The URL is longer than {WebhookEndpoint.UrlMaxLength:N0} characters.");
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.UserInfo.Length > 0)
            throw Invalid(nameof(request.Url), "Enter the endpoint's full URL, such as https://example.com/bizkeys/webhooks (no user name or password in it).");
        var allowPrivate = options.Value.Webhooks.AllowPrivateNetworks;
        if (url.Scheme == "http" && !allowPrivate)
            throw Invalid(nameof(request.Url), "Webhooks go over HTTPS: the URL must start with https://.");
        if (request.Events.Count == 0 || request.Events.Any(e => !NotificationEvents.IsSubscribable(e)))
            throw Invalid(nameof(request.Events), "Choose at least one event.");
        if (request.Description.Length > WebhookEndpoint.DescriptionMaxLength)
            throw Invalid(nameof(request.Description), $"Keep the description to {WebhookEndpoint.DescriptionMaxLength} characters.");
        if (allowPrivate || !checkAddress)
            return;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.IdnHost, ct);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw Invalid(nameof(request.Url), $"{url.Host} could not be found. Check the address.");
        }
        if (addresses.Length == 0 || addresses.Any(a => !WebhookAddresses.IsPublic(a)))
            throw Invalid(nameof(request.Url), $"{url.Host} is a private, loopback or link-local address; webhooks go to public addresses only.");
    }

    private static async Task<WebhookEndpoint> FindAsync(BizKeysDbContext db, Guid accountId, Guid endpointId, CancellationToken ct) =>
        await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId && e.AccountId == accountId, ct) ?? throw new WebhookNotFoundException();

    private static WebhookEndpointView View(WebhookEndpoint e, WebhookDelivery? last) =>
        new(e.Id, e.Url, e.Description, e.Events, e.Enabled, e.CreatedAt, last?.Status, last?.LastAttemptAt);

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}

public sealed class WebhookNotFoundException() : Exception("There is no such webhook endpoint in this account.");
