using BizKeys.Core.Users;
using BizKeys.Core.Verification.AspNetCore;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Admin.Identity;

public static class SignInSetup
{
    /// <summary>
    /// Cookie sign-in with Identity's password hashing and lockout. Everything needs a signed-in user unless an
    /// endpoint says otherwise (sign-in, setup, health, static assets, the key-authenticated API).
    /// </summary>
    public static void AddBizKeysSignIn(this IServiceCollection services)
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
            cookie.Cookie.Name = "BizKeys.SignIn";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = "/login";
            cookie.AccessDeniedPath = "/access-denied";
            cookie.ExpireTimeSpan = SessionRules.IdleLifetime;
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = SessionRules.ValidateAsync;
        });
        SessionRules.Configure(services);
        services.AddSingleton<SignInGuard>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, CircuitRevalidation>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(SupportClaims.Policy, p => p.RequireAuthenticatedUser().RequireClaim(SupportClaims.ClaimType, "true"));
    }
}
