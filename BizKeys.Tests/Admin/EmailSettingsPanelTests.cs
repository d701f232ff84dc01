using BizKeys.Admin.Components.Pages.Notifications;
using BizKeys.Core.Notifications;
using BizKeys.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Admin;

/// <summary>Settings > Notifications, email: an owner chooses who is emailed about what; an email's "stop these emails" link does what it says.</summary>
public class EmailSettingsPanelTests : IAsyncLifetime
{
    private PageHost _host = default!;

    public async Task InitializeAsync() => _host = await PageHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private EmailNotifications Emails => _host.Context.Services.GetRequiredService<EmailNotifications>();

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPanel(bool isOwner = true, string? unsubscribe = null) =>
        _host.Render<EmailSettingsPanel>(new Dictionary<string, object?>
        {
            ["AccountId"] = _host.Account.Id, ["IsOwner"] = isOwner, ["Unsubscribe"] = unsubscribe,
        });

    [Fact]
    public async Task An_owner_adds_an_address_turns_an_event_off_and_saves()
    {
        var page = RenderPanel();
        page.WaitForAssertion(() => Assert.Contains($"Email the account's owners ({TestData.OwnerEmail})", page.Find("[data-testid=email-settings]").TextContent));
        Assert.Contains("written as an .eml file", page.Find("[data-testid=mail-folder]").TextContent); // no SMTP host in tests

        var address = page.Find("input[data-testid=new-address], [data-testid=new-address] input");
        await page.InvokeAsync(() => address.Input("not an address"));
        await page.InvokeAsync(() => page.Find("[data-testid=add-address]").Click());
        page.WaitForAssertion(() => Assert.Contains("That is not an email address", page.Markup));
        await page.InvokeAsync(() => page.Find("input[data-testid=new-address], [data-testid=new-address] input").Input("oncall@example.com"));
        await page.InvokeAsync(() => page.Find("[data-testid=add-address]").Click());
        page.WaitForAssertion(() => Assert.Contains("oncall@example.com", page.Find("[data-testid=extra-recipients]").TextContent));
        await page.InvokeAsync(() => page.Find($"input[data-testid='email-event-{NotificationEvents.KeyUnused}'], [data-testid='email-event-{NotificationEvents.KeyUnused}'] input").Change(false));
        await page.InvokeAsync(() => page.Find("[data-testid=save-email]").Click());

        page.WaitForAssertion(() => Assert.Contains("Email settings saved.", page.Markup));
        var saved = await Emails.GetAsync(_host.Account.Id, _host.Owner);
        Assert.Equal(["oncall@example.com"], saved.ExtraRecipients);
        Assert.Equal([NotificationEvents.KeyUnused], saved.MutedEvents);
    }

    [Fact]
    public async Task The_stop_these_emails_link_offers_to_stop_that_event_and_does()
    {
        var page = RenderPanel(unsubscribe: NotificationEvents.KeyFailureSpike);
        page.WaitForAssertion(() => Assert.Contains("Stop emailing this account's people about “A key's failed requests jumped", page.Find("[data-testid=unsubscribe-offer]").TextContent));
        await page.InvokeAsync(() => page.Find("[data-testid=unsubscribe]").Click());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=unsubscribe-offer]")));
        Assert.Contains("No more emails about", page.Markup);
        Assert.Equal([NotificationEvents.KeyFailureSpike], (await Emails.GetAsync(_host.Account.Id, _host.Owner)).MutedEvents);
        Assert.False(page.Find($"input[data-testid='email-event-{NotificationEvents.KeyFailureSpike}'], [data-testid='email-event-{NotificationEvents.KeyFailureSpike}'] input").HasAttribute("checked"));
    }

    [Fact]
    public void A_member_sees_the_settings_without_controls_and_whom_to_ask()
    {
        var page = RenderPanel(isOwner: false, unsubscribe: NotificationEvents.KeyRevoked);
        page.WaitForAssertion(() => Assert.Contains($"Only an owner can change this: ask one of them ({TestData.OwnerEmail})", page.Find("[data-testid=unsubscribe-offer]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=save-email]"));
        Assert.Empty(page.FindAll("[data-testid=new-address]"));
        Assert.Empty(page.FindAll("[data-testid=mail-folder]"));
        Assert.All(page.FindAll("[data-testid=email-events] input"), input => Assert.True(input.HasAttribute("disabled")));
    }
}
