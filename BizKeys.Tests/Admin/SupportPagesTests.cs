using BizKeys.Admin.Components.Pages.ApiKeys;
using BizKeys.Admin.Components.Pages.Support;
using BizKeys.Core.Support;
using BizKeys.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Admin;

/// <summary>The support console as a support person and an owner see it: a reason first, a time limit, and the owner told.</summary>
public class SupportPagesTests : IAsyncLifetime
{
    private PageHost _host = default!;

    public async Task InitializeAsync() => _host = await PageHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Support_gives_a_reason_reads_the_keys_and_is_asked_again_when_the_hour_is_over()
    {
        await _host.CreateKeyAsync("Webhook relay");
        await _host.SignInAsSupportAsync("helper@bizkeys.example");
        var page = _host.Render<SupportAccountPage>(new Dictionary<string, object?> { ["AccountId"] = _host.Account.Id });

        var reason = page.WaitForElement("textarea[data-testid=support-reason], [data-testid=support-reason] textarea");
        Assert.Empty(page.FindAll("[data-testid=key-name]"));
        await page.InvokeAsync(() => reason.Input("Ticket #4821: calls get 401 since this morning"));
        await page.InvokeAsync(() => page.Find("[data-testid=open-account]").Click());

        page.WaitForAssertion(() => Assert.Equal("Webhook relay", page.Find("[data-testid=key-name]").TextContent));
        Assert.Contains("You can read this account until 27 Nov 2026, 13:00 UTC", page.Find("[data-testid=grant]").TextContent);

        _host.Time.Advance(TimeSpan.FromMinutes(61));
        await page.InvokeAsync(() => page.Find(".sortable-column-header").Click()); // the grid asks Core for the keys again

        page.WaitForAssertion(() => Assert.Contains("Your access to this account ran out", page.Find("[data-testid=grant-expired]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Empty(page.FindAll("[data-testid=key-name]"));
    }

    [Fact]
    public async Task The_owner_sees_who_from_support_can_read_the_account_and_why()
    {
        var support = await _host.Context.Services.CreateUserAsync("helper@bizkeys.example", "Support");
        await _host.Context.Services.GetRequiredService<SupportService>().OpenAccountAsync(_host.Account.Id, "Ticket #4821: calls get 401",
            BizKeys.Core.Actor.User(support.Id, "helper@bizkeys.example", isSupport: true, ip: null));

        var page = _host.Render<ApiKeysPage>();

        page.WaitForAssertion(() => Assert.Contains("BizKeys support (helper@bizkeys.example) can read this account until 27 Nov 2026, 13:00 UTC — reason given: “Ticket #4821: calls get 401”",
            page.Find("[data-testid=support-access-notice]").TextContent));
    }
}
