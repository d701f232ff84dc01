using System.Text.RegularExpressions;
using BizKeys.Admin.Components.Pages.ApiKeys;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Members;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Admin;

public class ApiKeysPageTests : IAsyncLifetime
{
    private PageHost _host = default!;

    public async Task InitializeAsync() => _host = await PageHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void An_account_without_keys_sees_the_empty_state_offering_to_add_one()
    {
        var page = _host.Render<ApiKeysPage>();

        page.WaitForAssertion(() => Assert.Contains("No API keys yet", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Contains("+Add New API Key", page.Find("[data-testid=empty-state]").TextContent);
        Assert.Equal("+Add New API Key", page.Find("[data-testid=add-key]").TextContent.Trim());
    }

    [Fact]
    public async Task Adding_a_key_shows_its_secret_once_and_the_secret_is_gone_after_the_dialog_closes()
    {
        var page = _host.Render<ApiKeysPage>();
        page.WaitForElement("[data-testid=empty-state]");

        await ClickAsync(page, "[data-testid=add-key]");
        page.WaitForElement(".mud-dialog").QuerySelector("input")!.Input("Production bot");
        await ClickAsync(page, "[data-testid=submit]");

        var secretInput = InputOf(page.WaitForElement("[data-testid=issued-secret]"));
        var secret = secretInput.GetAttribute("value")!;
        Assert.Matches(Patterns.Secret(), secret);
        Assert.Matches(Patterns.Key(), InputOf(page.Find("[data-testid=issued-key]")).GetAttribute("value")!);
        Assert.Contains("This secret will not be shown again.", page.Find("[data-testid=secret-warning]").TextContent);

        // Done stays disabled until the person confirms they copied the secret.
        Assert.True(page.Find("[data-testid=secret-done]").HasAttribute("disabled"));
        InputOf(page.Find("[data-testid=confirm-copied]")).Change(true);
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=secret-done]").HasAttribute("disabled")));
        await ClickAsync(page, "[data-testid=secret-done]");

        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-dialog")));
        page.WaitForAssertion(() => Assert.Equal("Production bot", page.Find("[data-testid=key-name]").TextContent));
        Assert.DoesNotContain(secret, page.Markup);
        Assert.DoesNotContain(secret[4..], page.Markup);
        Assert.Equal(1, (await _host.Keys.QueryAsync(new KeyQuery(_host.Account.Id), _host.Owner)).TotalCount);
    }

    [Fact]
    public async Task Submit_with_an_empty_name_shows_the_message_under_the_field_and_creates_nothing()
    {
        var page = _host.Render<ApiKeysPage>();
        page.WaitForElement("[data-testid=empty-state]");
        await ClickAsync(page, "[data-testid=add-key]");
        page.WaitForElement(".mud-dialog");

        await ClickAsync(page, "[data-testid=submit]");

        page.WaitForAssertion(() =>
        {
            var nameField = page.FindAll(".mud-dialog .mud-input-control")[0];
            Assert.Contains("Enter a name for the key.", nameField.TextContent);
        });
        Assert.Single(page.FindAll(".mud-dialog"));
        Assert.Equal(0, (await _host.Keys.QueryAsync(new KeyQuery(_host.Account.Id), _host.Owner)).TotalCount);
    }

    [Fact]
    public async Task A_duplicate_name_shows_the_message_under_the_name_and_keeps_what_was_typed()
    {
        await _host.CreateKeyAsync("CRM sync");
        var page = _host.Render<ApiKeysPage>();
        WaitForOneRow(page);
        await ClickAsync(page, "[data-testid=add-key]");
        var nameInput = page.WaitForElement(".mud-dialog input");

        nameInput.Input("crm SYNC");
        await ClickAsync(page, "[data-testid=submit]");

        page.WaitForAssertion(() => Assert.Contains("Another key in this account is already named \"crm SYNC\".",
            page.FindAll(".mud-dialog .mud-input-control")[0].TextContent));
        Assert.Equal("crm SYNC", page.Find(".mud-dialog input").GetAttribute("value"));
        Assert.Equal(1, (await _host.Keys.QueryAsync(new KeyQuery(_host.Account.Id), _host.Owner)).TotalCount);
    }

    [Fact]
    public async Task A_bad_ip_allowlist_is_explained_under_its_field()
    {
        var page = _host.Render<ApiKeysPage>();
        page.WaitForElement("[data-testid=empty-state]");
        await ClickAsync(page, "[data-testid=add-key]");
        page.WaitForElement(".mud-dialog input").Input("Office bot");
        var allowlist = page.Find(".mud-dialog textarea");

        allowlist.Input("203.0.113.300");
        await ClickAsync(page, "[data-testid=submit]");

        page.WaitForAssertion(() => Assert.Contains("\"203.0.113.300\" is not an IP address or CIDR range",
            page.Find(".mud-dialog textarea").Closest(".mud-input-control")!.TextContent));
        Assert.Equal(0, (await _host.Keys.QueryAsync(new KeyQuery(_host.Account.Id), _host.Owner)).TotalCount);
    }

    [Fact]
    public async Task Edit_renames_the_key_and_never_renders_a_secret()
    {
        var issued = await _host.CreateKeyAsync("CRM sync");
        var page = _host.Render<ApiKeysPage>();
        WaitForOneRow(page);

        await ClickAsync(page, "button[aria-label='Edit CRM sync']");
        var nameInput = page.WaitForElement(".mud-dialog input");
        Assert.Equal("CRM sync", nameInput.GetAttribute("value"));
        Assert.DoesNotContain(issued.Secret, page.Markup);
        Assert.DoesNotMatch(Patterns.AnySecret(), page.Find(".mud-dialog").OuterHtml);

        nameInput.Input("CRM nightly sync");
        await ClickAsync(page, "[data-testid=submit]");

        page.WaitForAssertion(() => Assert.Equal("CRM nightly sync", page.Find("[data-testid=key-name]").TextContent));
        // MudBlazor removes a closed dialog in a render of its own, which may land just after the grid's reload.
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-dialog")));
        Assert.DoesNotMatch(Patterns.AnySecret(), page.Markup);
    }

    [Fact]
    public async Task Rotate_shows_the_new_secret_once_and_the_grid_shows_when_the_old_one_ends()
    {
        await _host.CreateKeyAsync("CRM sync");
        var page = _host.Render<ApiKeysPage>();
        WaitForOneRow(page);

        await OpenRowMenuAsync(page, "rotate-key");
        page.WaitForElement("[data-testid=confirm-rotate]").Click();

        var secret = InputOf(page.WaitForElement("[data-testid=issued-secret]")).GetAttribute("value")!;
        Assert.Matches(Patterns.Secret(), secret);
        Assert.Contains("The old secret keeps working until 27 Nov 2026, 13:00 UTC.", page.Find("[data-testid=grace-info]").TextContent);
        InputOf(page.Find("[data-testid=confirm-copied]")).Change(true);
        await ClickAsync(page, "[data-testid=secret-done]");

        page.WaitForAssertion(() => Assert.Contains("Old secret valid until 27 Nov 2026, 13:00 UTC", page.Find("[data-testid=grace-note]").TextContent));
        Assert.DoesNotContain(secret, page.Markup);
    }

    [Fact]
    public async Task Revoke_asks_for_confirmation_and_the_status_becomes_revoked()
    {
        await _host.CreateKeyAsync("CRM sync");
        var page = _host.Render<ApiKeysPage>();
        WaitForOneRow(page);

        await OpenRowMenuAsync(page, "revoke-key");
        page.WaitForAssertion(() => Assert.Contains("Every request made with this key fails", page.Find(".mud-dialog").TextContent));
        Assert.Contains("CRM sync", page.Find(".mud-dialog").TextContent);
        Assert.Equal("Active", page.Find("[data-testid=status]").TextContent.Trim());
        await ClickAsync(page, "[data-testid=confirm-revoke]");

        // A revoked key leaves the list (the owner sees the keys that work) until asked for.
        page.WaitForAssertion(() => Assert.Contains("Every key of this account is revoked", page.Find("[data-testid=only-revoked]").TextContent));
        await page.InvokeAsync(() => page.FindAll("[data-testid=only-revoked] button").Single().Click());
        page.WaitForAssertion(() => Assert.Equal("Revoked", page.Find("[data-testid=status]").TextContent.Trim()));
        Assert.Empty(page.FindAll("button[aria-label^=Edit]"));
        // The confirmation follows the grid's reload.
        page.WaitForAssertion(() => Assert.Contains("Key “CRM sync” revoked.", page.Markup));
    }

    [Fact]
    public async Task An_owner_demoted_while_the_revoke_dialog_is_open_is_told_so_and_the_page_lives_on()
    {
        await _host.CreateKeyAsync("Kept");
        var page = _host.Render<ApiKeysPage>();
        WaitForOneRow(page);
        await OpenRowMenuAsync(page, "revoke-key");
        page.WaitForElement(".mud-dialog");
        var services = _host.Context.Services;
        await services.CreateUserAsync("second@example.com", "Owner", "My Business");
        await services.GetRequiredService<BizKeys.Core.Members.MemberService>().ChangeRoleAsync(
            _host.Account.Id, _host.Owner.UserId!.Value, BizKeys.Core.Accounts.AccountRole.Member, Actor.CommandLine);

        await ClickAsync(page, "[data-testid=confirm-revoke]");

        page.WaitForAssertion(() => Assert.Contains("Only owners of this account", page.Find(".mud-dialog").TextContent));
        Assert.Equal("Active", (await _host.Keys.GetAsync(_host.Account.Id, (await _host.Keys.QueryAsync(
            new KeyQuery(_host.Account.Id), Actor.CommandLine)).Items.Single().Key, Actor.CommandLine))!.Status.ToString());
    }

    [Fact]
    public async Task A_warning_on_a_row_is_a_filter_for_every_key_like_it()
    {
        await _host.CreateKeyAsync("Forgotten");
        _host.Time.Advance(TimeSpan.FromDays(31));
        await _host.CreateKeyAsync("Fresh");
        var page = _host.Render<ApiKeysPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=key-name]").Count));

        var chip = page.WaitForElement("[data-testid=hygiene] button");
        Assert.Contains("Not used for 30 days", chip.TextContent);
        Assert.All(page.FindAll("[data-testid=hygiene]"), row => Assert.DoesNotContain("expir", row.TextContent)); // a warning only when it warns
        await page.InvokeAsync(() => page.Find("[data-testid=hygiene] button").Click());

        page.WaitForAssertion(() => Assert.Equal(["Forgotten"], page.FindAll("[data-testid=key-name]").Select(e => e.TextContent)));
    }

    /// <summary>
    /// Waits until the grid has settled on its one row: the row, then the pager's count, have rendered. A click
    /// between the two would reach a button that the next render has already replaced.
    /// </summary>
    private static void WaitForOneRow(IRenderedComponent<Bunit.Rendering.ContainerFragment> page)
    {
        page.WaitForElement("[data-testid=key-name]");
        page.WaitForAssertion(() => Assert.Contains("1-1 of 1", page.Find(".mud-table-pagination").TextContent));
    }

    /// <summary>
    /// Finds and clicks in one step on the renderer's thread, as bUnit advises: no render can land between the two
    /// and leave the click on a button that was just replaced.
    /// </summary>
    private static Task ClickAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string selector) =>
        page.InvokeAsync(() => page.Find(selector).Click());

    /// <summary>Opens the row's ⋯ menu and picks an item from it, as a person does.</summary>
    private static async Task OpenRowMenuAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string item)
    {
        await ClickAsync(page, "[data-testid=key-menu] button");
        page.WaitForElement($"[data-testid={item}]");
        await ClickAsync(page, $"[data-testid={item}]");
    }

    /// <summary>MudBlazor puts extra attributes on the input itself or on its wrapper, depending on the component.</summary>
    private static AngleSharp.Dom.IElement InputOf(AngleSharp.Dom.IElement element) =>
        element.TagName == "INPUT" ? element : element.QuerySelector("input")!;
}
