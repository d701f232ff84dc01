using BizKeys.Core.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.AspNetCore;

public static class ApiKeyAuthenticationExtensions
{
    /// <summary>
    /// Adds BizKeys API-key authentication and one authorization policy per catalogue permission
    /// (<see cref="ApiKeyDefaults.PolicyFor"/>), plus <see cref="ApiKeyDefaults.AnyKeyPolicy"/> for any valid key.
    /// Needs <c>AddBizKeysCore</c> for the verifier.
    /// </summary>
    public static AuthenticationBuilder AddBizKeysApiKeys(this AuthenticationBuilder builder)
    {
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiKeyAuthorizationResultHandler>();
        builder.Services.AddOptions<AuthorizationOptions>().Configure<IOptions<BizKeysOptions>>((authorization, bizKeys) =>
        {
            authorization.AddPolicy(ApiKeyDefaults.AnyKeyPolicy, p => p.AddAuthenticationSchemes(ApiKeyDefaults.Scheme).RequireAuthenticatedUser());
            foreach (var permission in bizKeys.Value.Permissions)
            {
                authorization.AddPolicy(ApiKeyDefaults.PolicyFor(permission), p => p
                    .AddAuthenticationSchemes(ApiKeyDefaults.Scheme).RequireAuthenticatedUser()
                    .RequireClaim(ApiKeyDefaults.PermissionClaim, permission));
            }
        });
        return builder.AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
    }
}
