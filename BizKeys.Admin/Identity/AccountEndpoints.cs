using System.Security.Claims;
using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.Audit;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Antiforgery;

namespace BizKeys.Admin.Identity;

public static class AccountEndpoints
{
    /// <summary>A missing, foreign or unreadable form is simply not valid: it never becomes an error page.</summary>
    private static async Task<bool> IsValidFormAsync(IAntiforgery antiforgery, HttpContext http)
    {
        try
        {
            return await antiforgery.IsRequestValidAsync(http);
        }
        catch (Exception e) when (e is AntiforgeryValidationException or InvalidDataException or IOException or BadHttpRequestException)
        {
            return false;
        }
    }

    public static void MapAccountEndpoints(this WebApplication app)
    {
        // A form post with the antiforgery token: a link elsewhere cannot sign people out. Checked here, so that a
        // stale or forged token gets a plain 400 rather than an error page.
        app.MapPost("/account/logout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<BizKeysUser> signIn) =>
        {
            if (!await IsValidFormAsync(antiforgery, http))
                return Results.Text("This sign-out form has expired. Reload the page and sign out again.", statusCode: StatusCodes.Status400BadRequest);
            // A new security stamp ends this session everywhere: a copied cookie and other open pages stop working too.
            if (await signIn.UserManager.GetUserAsync(http.User) is { } user)
                await signIn.UserManager.UpdateSecurityStampAsync(user);
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/login");
        }).DisableAntiforgery();

        app.MapGet("/support/usage/export.csv", async (HttpContext http, ClaimsPrincipal user, BizKeys.Core.Usage.UsageService usage, TimeProvider time, int? hours, CancellationToken ct) =>
        {
            var actor = SignedInActor.From(user, http.Connection.RemoteIpAddress?.ToString())!;
            var since = time.GetUtcNow().UtcDateTime.AddHours(-Math.Clamp(hours ?? 24, 1, 24 * 90));
            var traffic = await usage.TopKeysAsync(actor, since, ct);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"bizkeys-key-usage-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
            await BizKeys.Core.Usage.UsageService.WriteCsvAsync(traffic, writer);
            return Results.Empty;
        }).RequireAuthorization(SupportClaims.Policy);

        app.MapGet("/settings/audit-log/export.csv", async (HttpContext http, ClaimsPrincipal user, AccountService accounts,
            AuditLog audit, string? action, string? search, string? target, CancellationToken ct) =>
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
        });
    }
}
