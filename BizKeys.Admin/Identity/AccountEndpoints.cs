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

        // A mail program's one-click unsubscribe (RFC 8058): the signed token is the whole authority; it can only stop mail.
        app.MapPost(BizKeys.Core.Notifications.EmailUnsubscribe.OneClickPath, async (string? t, BizKeys.Core.Notifications.EmailNotifications emails) =>
            await emails.StopForAsync(t, confirm: true) is null
                ? Results.Text("This unsubscribe link is not one BizKeys made.", statusCode: StatusCodes.Status404NotFound) // a body: no error page
                : Results.Text("Unsubscribed."))
            .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }
}
