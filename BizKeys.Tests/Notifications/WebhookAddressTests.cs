using System.Net;
using BizKeys.Core.Data;
using BizKeys.Core.Notifications;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Notifications;

/// <summary>Webhooks never reach the network BizKeys runs in (with the default settings): not by address, not by name, not at send time.</summary>
public class WebhookAddressTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData("http://example.com/hooks", "Webhooks go over HTTPS: the URL must start with https://.")]
    [InlineData("https://127.0.0.1/hooks", "127.0.0.1 is a private, loopback or link-local address; webhooks go to public addresses only.")]
    [InlineData("https://localhost:8443/hooks", "localhost is a private, loopback or link-local address; webhooks go to public addresses only.")]
    [InlineData("https://169.254.169.254/latest/meta-data", "169.254.169.254 is a private, loopback or link-local address; webhooks go to public addresses only.")]
    [InlineData("https://10.1.2.3/hooks", "10.1.2.3 is a private, loopback or link-local address; webhooks go to public addresses only.")]
    [InlineData("https://[::1]/hooks", "[::1] is a private, loopback or link-local address; webhooks go to public addresses only.")]
    [InlineData("https://user:pass@example.com/hooks", "Enter the endpoint's full URL, such as https://example.com/bizkeys/webhooks (no user name or password in it).")]
    [InlineData("not a url", "Enter the endpoint's full URL, such as https://example.com/bizkeys/webhooks (no user name or password in it).")]
    public async Task An_endpoint_on_a_private_address_or_not_https_is_refused_with_a_reason(string url, string message)
    {
        var refused = await Assert.ThrowsAsync<ValidationException>(() => _db.Services.GetRequiredService<WebhookService>().CreateAsync(
            new WebhookRequest { AccountId = _db.Account.Id, Url = url, Events = [NotificationEvents.KeyRevoked] }, _db.Owner));

        Assert.Equal(message, refused.Errors.Single().ErrorMessage);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.7", false)]
    [InlineData("172.20.1.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("64:ff9b::a9fe:a9fe", false)] // NAT64 of 169.254.169.254
    [InlineData("64:ff9b:1::7f00:1", false)]
    [InlineData("2002:7f00:1::", false)] // 6to4 of 127.0.0.1
    [InlineData("::127.0.0.1", false)] // IPv4-compatible
    [InlineData("::ffff:0:7f00:1", false)]
    [InlineData("100::1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2a00:1450:4001:80b::200e", true)]
    public void Only_public_addresses_are_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task A_name_that_points_inside_by_the_time_of_sending_is_refused_at_connect()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var protector = _db.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(WebhookService.ProtectionPurpose);
        await using (var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync())
        {
            // As if the name had resolved to a public address when it was saved (DNS rebinding): stored without the check.
            db.WebhookEndpoints.Add(WebhookEndpoint.Create(_db.Account.Id, receiver.Url, "", [NotificationEvents.KeyRevoked],
                protector.Protect(WebhookSigner.NewSecret()), _db.Now, _db.Owner));
            await db.SaveChangesAsync();
        }
        await _db.Keys.RevokeAsync(_db.Account.Id, (await _db.CreateKeyAsync("Bot")).Key.Key, _db.Owner);

        await _db.Services.GetRequiredService<WebhookSender>().RunOnceAsync();

        Assert.Empty(receiver.Requests);
        await using var check = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        var delivery = await check.WebhookDeliveries.SingleAsync();
        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal("127.0.0.1 resolves only to private, loopback or link-local addresses, which webhooks may not reach.", delivery.LastError);
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        await using var settings = await TestDatabase.CreateAsync(settings: new Dictionary<string, string?> { ["BizKeys:Webhooks:AllowPrivateNetworks"] = "true" });
        await using var receiver = await WebhookReceiver.StartAsync(redirect: true);
        var webhooks = settings.Services.GetRequiredService<WebhookService>();
        var endpoint = await webhooks.CreateAsync(new WebhookRequest { AccountId = settings.Account.Id, Url = receiver.Url, Events = [NotificationEvents.KeyRevoked] }, settings.Owner);
        await settings.Keys.RevokeAsync(settings.Account.Id, (await settings.CreateKeyAsync("Bot")).Key.Key, settings.Owner);

        await settings.Services.GetRequiredService<WebhookSender>().RunOnceAsync();

        var delivery = Assert.Single(await webhooks.DeliveriesAsync(settings.Account.Id, endpoint.Endpoint.Id, settings.Owner));
        Assert.Equal((302, "Redirects are not followed: point the endpoint at the final URL."), (delivery.LastStatusCode!.Value, delivery.LastError));
        Assert.Single(receiver.Requests);
    }
}
