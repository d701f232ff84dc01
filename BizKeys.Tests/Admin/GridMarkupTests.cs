using BizKeys.Admin.Components.Pages.ApiKeys;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;
using Bunit;
using Xunit.Abstractions;

namespace BizKeys.Tests.Admin;

/// <summary>
/// How much markup the keys grid sends per row — every byte goes over the circuit on each render. Each row of the
/// fullest kind (long name, six permissions, an expiry, an allowlist, a rotation running) must stay within 3.5 KB;
/// the grid before the redesign sent about 6 KB.
/// </summary>
public class GridMarkupTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PageHost _host = default!;

    public async Task InitializeAsync() => _host = await PageHost.CreateAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static Task AddFullKeyAsync(PageHost host, int i) => host.Keys.CreateAsync(new CreateKeyRequest
    {
        AccountId = host.Account.Id, Name = $"Order notifications for the EU storefront {i:00}", Environment = "Production",
        Permissions = ["messages:send", "messages:read", "templates:read", "contacts:read", "contacts:write", "usage:read"],
        ExpiresAt = host.Time.GetUtcNow().UtcDateTime.AddDays(10), IpAllowlist = "203.0.113.0/24\n198.51.100.7",
    }, host.Owner);

    [Fact]
    public async Task A_row_of_the_keys_grid_stays_within_3_5_KB()
    {
        for (var i = 0; i < 25; i++)
            await AddFullKeyAsync(_host, i);
        var page = _host.Render<ApiKeysPage>();
        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid=key-name]").Count));
        page.WaitForAssertion(() => Assert.Contains("1-25 of 25", page.Find(".mud-table-pagination").TextContent));

        var rows = page.FindAll(".keys-grid tbody tr");
        Assert.Equal(25, rows.Count);
        var perRow = rows.Average(r => r.OuterHtml.Length);
        var page25 = page.Markup.Length;
        output.WriteLine($"25 rows: {page25:N0} characters in all; {perRow:N0} a row; a 50-row page ≈ {(page25 + 25 * perRow) / 1024:N0} KB");
        Assert.InRange(perRow, 500, 3.5 * 1024);
    }
}
