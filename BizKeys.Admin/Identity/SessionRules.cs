using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Admin.Identity;

/// <summary>
/// How long a sign-in lasts and what ends it. The security stamp is checked on every request, so signing out
/// (which changes the stamp) ends every copy of the cookie at once; open Blazor circuits check it every
/// <see cref="CircuitRevalidation"/>; and no session outlives <see cref="AbsoluteLifetime"/>.
/// </summary>
public static class SessionRules
{
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(8);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);
    public static readonly TimeSpan CircuitRevalidation = TimeSpan.FromMinutes(1);

    public static void Configure(IServiceCollection services)
    {
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.Zero;
            // A refreshed cookie keeps the original moment of signing in: sliding renewal never extends the absolute limit.
            o.OnRefreshingPrincipal = context =>
            {
                if (context.CurrentPrincipal?.FindFirst(SupportClaims.SignedInAtClaim) is { } signedIn
                    && context.NewPrincipal?.Identity is ClaimsIdentity identity)
                {
                    if (identity.FindFirst(SupportClaims.SignedInAtClaim) is { } fresh)
                        identity.RemoveClaim(fresh);
                    identity.AddClaim(new Claim(SupportClaims.SignedInAtClaim, signedIn.Value));
                }
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>Cookie event: refuses a principal signed in longer ago than the absolute lifetime.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (IsPastAbsoluteLifetime(context.Principal, context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    public static bool IsPastAbsoluteLifetime(ClaimsPrincipal? principal, DateTimeOffset now) =>
        principal?.FindFirst(SupportClaims.SignedInAtClaim)?.Value is not { } text
        || !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
        || now - DateTimeOffset.FromUnixTimeSeconds(seconds) > AbsoluteLifetime;
}
