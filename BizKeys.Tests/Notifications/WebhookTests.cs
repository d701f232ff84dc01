using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Notifications;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Notifications;

/// <summary>Webhooks: signed as Standard Webhooks say, written with the change that causes them, retried, never to a private address unless allowed.</summary>
public class WebhookTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() =>
        _db = await TestDatabase.CreateAsync(settings: new Dictionary<string, string?> { ["BizKeys:Webhooks:AllowPrivateNetworks"] = "true" });

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private WebhookService Webhooks => _db.Services.GetRequiredService<WebhookService>();
    private WebhookSender Sender => _db.Services.GetRequiredService<WebhookSender>();

    private Task<IssuedWebhookSecret> AddAsync(string url, params string[] events) => Webhooks.CreateAsync(new WebhookRequest
    {
        AccountId = _db.Account.Id, Url = url, Events = events.Length == 0 ? [NotificationEvents.KeyRevoked, NotificationEvents.KeyRotated] : [.. events],
    }, _db.Owner);

    [Fact]
    public void Signatures_match_the_Standard_Webhooks_published_test_vector()
    {
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSigner.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""));
    }

    [Fact]
    public async Task A_revoked_key_reaches_the_endpoint_signed_with_its_secret_and_no_secret_in_the_body()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await AddAsync(receiver.Url);
        var issued = await _db.CreateKeyAsync("Production bot");
        await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner);

        await Sender.RunOnceAsync();

        var received = Assert.Single(receiver.Requests);
        Assert.Equal(WebhookSigner.Sign(endpoint.Secret, received.Id, long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture), received.Body), received.Signature);
        Assert.Equal("BizKeys-Webhooks/1", received.UserAgent);
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal(("key.revoked", 1), (body.RootElement.GetProperty("type").GetString(), body.RootElement.GetProperty("version").GetInt32()));
        Assert.Equal(received.Id, body.RootElement.GetProperty("id").GetString());
        Assert.Equal(issued.Key.Key, body.RootElement.GetProperty("data").GetProperty("key").GetString());
        Assert.Equal("Production bot", body.RootElement.GetProperty("data").GetProperty("name").GetString());
        Assert.DoesNotContain("bks_", received.Body);
        Assert.DoesNotContain("whsec_", received.Body);
        var delivery = Assert.Single(await Webhooks.DeliveriesAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner));
        Assert.Equal((DeliveryStatus.Delivered, 1, 200), (delivery.Status, delivery.Attempts, delivery.LastStatusCode!.Value));
    }

    [Fact]
    public async Task The_signing_secret_is_shown_once_and_kept_only_encrypted()
    {
        var endpoint = await AddAsync("http://127.0.0.1:9/hooks");

        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        var stored = await db.WebhookEndpoints.AsNoTracking().SingleAsync();
        Assert.StartsWith("whsec_", endpoint.Secret);
        Assert.DoesNotContain(endpoint.Secret[6..], stored.ProtectedSecret);
        Assert.DoesNotContain("whsec_", stored.ProtectedSecret);
        Assert.DoesNotContain(endpoint.Secret, JsonSerializer.Serialize(await Webhooks.ListAsync(_db.Account.Id, _db.Owner)));
    }

    [Fact]
    public async Task A_failing_endpoint_is_retried_with_the_same_webhook_id_until_it_accepts_and_gives_up_after_a_day()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerWith(500, 503);
        var endpoint = await AddAsync(receiver.Url);
        var issued = await _db.CreateKeyAsync("Production bot");
        await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner);

        await Sender.RunOnceAsync();
        var first = Assert.Single(await Webhooks.DeliveriesAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner));
        Assert.Equal((DeliveryStatus.Pending, 1, 500), (first.Status, first.Attempts, first.LastStatusCode!.Value));
        Assert.InRange(first.NextAttemptAt!.Value - _db.Now, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        await Sender.RunOnceAsync(); // not due yet
        Assert.Single(receiver.Requests);

        _db.Time.Advance(TimeSpan.FromSeconds(6));
        await Sender.RunOnceAsync();
        _db.Time.Advance(TimeSpan.FromSeconds(12));
        await Sender.RunOnceAsync();

        Assert.Equal(3, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Id).Distinct());
        Assert.Equal(DeliveryStatus.Delivered, Assert.Single(await Webhooks.DeliveriesAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner)).Status);

        // Another event to an endpoint that never answers well: retried for 24 hours, then marked failed; Resend tries again.
        receiver.AnswerWith([.. Enumerable.Repeat(500, 40)]);
        await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = (await _db.CreateKeyAsync("Second")).Key.Key, GraceMinutes = 60 }, _db.Owner);
        for (var hour = 0; hour < 26; hour++)
        {
            await Sender.RunOnceAsync();
            _db.Time.Advance(TimeSpan.FromHours(1));
        }
        var failed = (await Webhooks.DeliveriesAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner)).First(d => d.Type == NotificationEvents.KeyRotated);
        Assert.Equal(DeliveryStatus.Failed, failed.Status);
        Assert.InRange(failed.Attempts, 10, 40); // backoff with jitter: the exact count varies
        receiver.ClearAnswers(); // the endpoint is fixed: it answers 200 from now on
        await Webhooks.ResendAsync(_db.Account.Id, failed.Id, _db.Owner);
        await Sender.RunOnceAsync();
        Assert.Equal(DeliveryStatus.Delivered, (await Webhooks.DeliveriesAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner)).First(d => d.Id == failed.Id).Status);
    }

    [Fact]
    public async Task A_test_event_goes_to_its_endpoint_only_and_a_switched_off_or_uninterested_endpoint_gets_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var other = await WebhookReceiver.StartAsync();
        var tested = await AddAsync(receiver.Url, NotificationEvents.KeyLeaked);
        var off = await AddAsync(other.Url);
        await Webhooks.UpdateAsync(off.Endpoint.Id, new WebhookRequest { AccountId = _db.Account.Id, Url = other.Url, Events = [NotificationEvents.KeyRevoked], Enabled = false }, _db.Owner);

        await Webhooks.SendTestAsync(_db.Account.Id, tested.Endpoint.Id, _db.Owner);
        await _db.Keys.RevokeAsync(_db.Account.Id, (await _db.CreateKeyAsync("Bot")).Key.Key, _db.Owner); // nobody listening wants it
        await Sender.RunOnceAsync();

        var received = Assert.Single(receiver.Requests);
        Assert.Contains("\"type\":\"webhook.test\"", received.Body);
        Assert.Empty(other.Requests);
    }

    [Fact]
    public async Task A_rolled_back_change_writes_no_notification()
    {
        await AddAsync("http://127.0.0.1:9/hooks");
        var issued = await _db.CreateKeyAsync("Production bot");
        var stale = (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Version;
        await _db.Keys.UpdateAsync(new UpdateKeyRequest { AccountId = _db.Account.Id, Key = issued.Key.Key, Name = "Renamed", Environment = "Production", Permissions = ["messages:send"] }, _db.Owner);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner, expectedVersion: stale));

        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.OutboxMessages.Where(m => m.Type == NotificationEvents.KeyRevoked).ToListAsync());
    }

    [Fact]
    public async Task Two_senders_racing_deliver_each_event_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await AddAsync(receiver.Url);
        for (var i = 0; i < 10; i++)
            await _db.Keys.RevokeAsync(_db.Account.Id, (await _db.CreateKeyAsync($"Bot {i}")).Key.Key, _db.Owner);
        var second = ActivatorUtilities.CreateInstance<WebhookSender>(_db.Services);

        await Task.WhenAll(Sender.RunOnceAsync(), second.RunOnceAsync(), Sender.RunOnceAsync());

        Assert.Equal(10, receiver.Requests.Count);
        Assert.Equal(10, receiver.Requests.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Only_owners_manage_endpoints_and_members_see_them()
    {
        await AddAsync("http://127.0.0.1:9/hooks");
        var member = await _db.AddUserAsync("member@example.com", "Member");
        var key = await _db.Keys.CreateAsync(_db.NewKey("Admin key", "keys:read", "keys:write"), _db.Owner);
        var keyActor = Actor.ApiKey(key.Key.Key, _db.Account.Id, (await _db.LoadKeyAsync(key.Key.Key)).Limits(), ip: null);

        Assert.Single(await Webhooks.ListAsync(_db.Account.Id, member));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Webhooks.CreateAsync(new WebhookRequest { AccountId = _db.Account.Id, Url = "https://example.com/h", Events = ["key.revoked"] }, member));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Webhooks.CreateAsync(new WebhookRequest { AccountId = _db.Account.Id, Url = "https://example.com/h", Events = ["key.revoked"] }, keyActor));
    }

    [Fact]
    public async Task A_hanging_endpoint_of_one_account_does_not_hold_up_another_accounts_webhooks()
    {
        await using var slow = await WebhookReceiver.StartAsync(delay: TimeSpan.FromSeconds(8));
        await using var healthy = await WebhookReceiver.StartAsync();
        await AddAsync(slow.Url);
        var other = await _db.CreateAccountAsync("Globex Retail");
        await Webhooks.CreateAsync(new WebhookRequest { AccountId = other.Id, Url = healthy.Url, Events = [NotificationEvents.KeyRevoked] }, BizKeys.Core.Actor.CommandLine);
        for (var i = 0; i < 5; i++)
            await _db.Keys.RevokeAsync(_db.Account.Id, (await _db.CreateKeyAsync($"Bot {i}")).Key.Key, _db.Owner);
        var theirs = _db.NewKey("Globex bot");
        theirs.AccountId = other.Id;
        var issued = await _db.Keys.CreateAsync(theirs, BizKeys.Core.Actor.CommandLine);
        await _db.Keys.RevokeAsync(other.Id, issued.Key.Key, BizKeys.Core.Actor.CommandLine);

        var round = Sender.RunOnceAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (healthy.Requests.IsEmpty && watch.Elapsed < TimeSpan.FromSeconds(6))
            await Task.Delay(50);

        Assert.Single(healthy.Requests); // while the slow endpoint still holds its first delivery
        Assert.True(slow.Requests.Count <= 1, "one delivery at a time to one endpoint");
        await round;
    }

    [Fact]
    public async Task A_switched_off_endpoint_keeps_its_deliveries_waiting_and_refuses_a_test()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerWith(500); // the first attempt fails: the delivery is pending, to be retried
        var endpoint = await AddAsync(receiver.Url);
        await _db.Keys.RevokeAsync(_db.Account.Id, (await _db.CreateKeyAsync("Bot")).Key.Key, _db.Owner);
        await Sender.RunOnceAsync();
        var request = new WebhookRequest { AccountId = _db.Account.Id, Url = receiver.Url, Events = [NotificationEvents.KeyRevoked], Enabled = false };

        await Webhooks.UpdateAsync(endpoint.Endpoint.Id, request, _db.Owner);
        _db.Time.Advance(TimeSpan.FromMinutes(5));
        await Sender.RunOnceAsync();
        var waiting = Assert.Single(await Webhooks.DeliveriesAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner));
        var refused = await Assert.ThrowsAsync<ValidationException>(() => Webhooks.SendTestAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner));

        Assert.Equal((DeliveryStatus.Pending, 1), (waiting.Status, waiting.Attempts)); // no attempt while off
        Assert.Single(receiver.Requests);
        Assert.Equal("This endpoint is switched off: switch it on to send it a test event.", refused.Errors.Single().ErrorMessage);

        request.Enabled = true;
        await Webhooks.UpdateAsync(endpoint.Endpoint.Id, request, _db.Owner);
        _db.Time.Advance(TimeSpan.FromMinutes(2));
        await Sender.RunOnceAsync();
        Assert.Equal(DeliveryStatus.Delivered, Assert.Single(await Webhooks.DeliveriesAsync(_db.Account.Id, endpoint.Endpoint.Id, _db.Owner)).Status);
        Assert.Equal(2, receiver.Requests.Count);
    }
}

public sealed class ClaimTests
{
    [Fact]
    public void A_claim_is_made_in_whole_microseconds_so_PostgreSQL_stores_it_as_it_is_compared()
    {
        var now = new DateTime(2026, 12, 7, 23, 4, 48, DateTimeKind.Utc).AddTicks(1_234_567);
        var until = BizKeys.Core.Claims.Until(now, TimeSpan.FromMinutes(1));

        Assert.Equal(0, until.Ticks % 10);
        Assert.InRange(until - now, TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(9), TimeSpan.FromMinutes(1));
    }
}
