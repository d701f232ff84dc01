using System.Security.Claims;
using BizKeys.Admin.Identity;
using BizKeys.Core.Accounts;
using BizKeys.Core.Audit;

namespace BizKeys.Admin.Components.Pages.Audit;

/// <summary>Settings > Audit log as a CSV download: what the page's filter shows, for the current account.</summary>
public static class AuditExports
{
    public static void MapAuditExports(this WebApplication app) =>
        app.MapGet("/settings/audit-log/export.csv", ExportAudit);

    private static async Task<IResult> ExportAudit(HttpContext http, ClaimsPrincipal user, AccountService accounts, AuditLog audit,
        string? action, string? search, string? target, CancellationToken ct)
    {
        var actor = SignedInActor.From(user, http.Connection.RemoteIpAddress?.ToString())!;
        var (_, account) = await accounts.ChoicesAsync(actor.UserId!.Value, ct);
        if (account is null)
            return Results.NotFound();
        var query = new AuditQuery(account.Id) { Action = action, Search = search, Target = target };
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"bizkeys-audit-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
        await audit.ExportCsvAsync(query, actor, writer, ct);
        return Results.Empty;
    }
}
