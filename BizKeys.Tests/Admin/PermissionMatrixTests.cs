using BizKeys.Admin.Components.Pages.ApiKeys;
using BizKeys.Tests.Support;
using Bunit;

namespace BizKeys.Tests.Admin;

/// <summary>The key form's permission table says exactly what a key holds — partial levels and retired permissions included.</summary>
public class PermissionMatrixTests : IAsyncLifetime
{
    private PageHost _host = default!;

    public async Task InitializeAsync() => _host = await PageHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void A_partial_level_reads_custom_and_a_retired_permission_is_shown_and_removable()
    {
        IReadOnlyCollection<string> selected = ["templates:write", "messages:send", "messages:read", "legacy:old"];
        var page = _host.Render<PermissionMatrix>(new Dictionary<string, object?>
        {
            ["Selected"] = selected,
            ["SelectedChanged"] = Microsoft.AspNetCore.Components.EventCallback.Factory.Create<IReadOnlyCollection<string>>(this, p => selected = p),
        });

        var templates = page.Find("[data-testid=area-templates]");
        Assert.Contains("Custom: templates:write", templates.TextContent);
        Assert.Empty(templates.QuerySelectorAll("input:checked")); // neither None, Read nor Write is true of it
        Assert.NotNull(page.Find("[data-testid=area-messages] input[data-level=Write]").GetAttribute("checked"));
        Assert.Contains("legacy:old is no longer a permission BizKeys offers", page.Find("[data-testid=unknown-permission]").TextContent);

        page.Find("[data-testid=unknown-permission] button").Click();
        Assert.Equal(["messages:read", "messages:send", "templates:write"], selected);
    }

    [Fact]
    public void Full_access_leaves_verifying_other_keys_as_a_choice_of_its_own()
    {
        IReadOnlyCollection<string> selected = [];
        var page = _host.Render<PermissionMatrix>(new Dictionary<string, object?>
        {
            ["Selected"] = selected,
            ["SelectedChanged"] = Microsoft.AspNetCore.Components.EventCallback.Factory.Create<IReadOnlyCollection<string>>(this, p => selected = p),
        });
        page.FindAll("[data-testid=preset]").Single(b => b.TextContent.Contains("Full access")).Click();
        Assert.Contains("keys:write", selected);
        Assert.DoesNotContain("keys:verify", selected);
    }
}
