using System.Security.Claims;
using BizKeys.Admin.Identity;
using BizKeys.Core.Support;
using BizKeys.Core.Usage;

namespace BizKeys.Admin.Components.Pages.Support;

/// <summary>Support > Key usage as a CSV download (support staff only).</summary>
public static class SupportExports
{
    public static void MapSupportExports(this WebApplication app) =>
        app.MapGet("/support/usage/export.csv", ExportUsage).RequireAuthorization(SupportClaims.Policy);

    private static async Task<IResult> ExportUsage(
        HttpContext http, ClaimsPrincipal user, UsageService usage, SupportService support, TimeProvider time, int? hours, CancellationToken ct)
    {
        var actor = SignedInActor.From(user, http.Connection.RemoteIpAddress?.ToString())!;
        var period = Math.Clamp(hours ?? 24, 1, 24 * 90);
        var since = time.GetUtcNow().UtcDateTime.AddHours(-period);
        var traffic = await usage.TrafficByKeyAsync(actor, since, ct);
        await support.RecordAsync(actor, SupportActions.UsageExported, $"Key usage CSV, last {period} hours, {traffic.Count:N0} keys", ct);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"bizkeys-key-usage-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
        await UsageService.WriteCsvAsync(traffic, writer);
        return Results.Empty;
    }
}
