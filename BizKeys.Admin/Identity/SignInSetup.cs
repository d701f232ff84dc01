using BizKeys.Core.Users;
using BizKeys.AspNetCore;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Admin.Identity;

public static class SignInSetup
{
    public const string CookieName = "__Host-BizKeys.SignIn";
    public const string DevelopmentCookieName = "BizKeys.SignIn";

    /// <summary>
    /// Cookie sign-in with Identity's password hashing and lockout. Everything needs a signed-in user unless an
    /// endpoint says otherwise (sign-in, setup, health, static assets, the key-authenticated API).
    /// </summary>
    /// <param name="development">Only in Development may the cookie travel over plain HTTP (and so not carry <c>__Host-</c>).</param>
    private static Task DefaultRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    public static void AddBizKeysSignIn(this IServiceCollection services, bool development)
    {
        services.AddCascadingAuthenticationState();
        var authentication = services.AddAuthentication(IdentityConstants.ApplicationScheme);
        authentication.AddIdentityCookies();
        authentication.AddBizKeysApiKeys();
        new IdentityBuilder(typeof(BizKeysUser), typeof(IdentityRole<Guid>), services)
            .AddSignInManager()
            .AddClaimsPrincipalFactory<SupportClaims>();
        services.ConfigureApplicationCookie(cookie =>
        {
            // __Host-: the browser keeps it to this exact host and path, and only over HTTPS.
            cookie.Cookie.Name = development ? DevelopmentCookieName : CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            cookie.Cookie.Path = "/";
            cookie.LoginPath = "/login";
            cookie.AccessDeniedPath = "/access-denied";
            cookie.ExpireTimeSpan = SessionRules.IdleLifetime;
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = SessionRules.ValidateAsync;
            // The API never answers with the sign-in page: a request there that reaches the cookie gets a problem.
            cookie.Events.OnRedirectToLogin = context => context.Request.Path.StartsWithSegments("/api")
                ? Problems.Unauthorized(context.HttpContext)
                : DefaultRedirect(context);
            cookie.Events.OnRedirectToAccessDenied = context => context.Request.Path.StartsWithSegments("/api")
                ? Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "This request is not allowed.")
                : DefaultRedirect(context);
        });
        SessionRules.Configure(services);
        services.AddSingleton<SignInGuard>();
        services.AddSingleton<PasswordResets>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, CircuitRevalidation>();
        // The antiforgery cookie follows the request's scheme: "Always" would make every form fail over plain HTTP
        // (a first run on http://localhost); it guards nothing alone, the sign-in cookie is the one kept Secure.
        services.AddAntiforgery(o => o.Cookie.SameSite = SameSiteMode.Strict);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(SupportClaims.Policy, p => p.RequireAuthenticatedUser().RequireClaim(SupportClaims.ClaimType, "true"));
    }
}
