using System.Security.Claims;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Identity;

/// <summary>
/// An open page (a Blazor circuit) re-checks its sign-in every minute: after a sign-out elsewhere, a password
/// change, a removed support flag or the absolute session limit, the page loses its sign-in and asks for a new one.
/// </summary>
public sealed class CircuitRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<IdentityOptions> options, TimeProvider time)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => SessionRules.CircuitRevalidation;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        if (SessionRules.IsPastAbsoluteLifetime(state.User, time.GetUtcNow()))
            return false;
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null)
            return false;
        var stamp = state.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user)
            && user.IsSupport == state.User.HasClaim(SupportClaims.ClaimType, "true");
    }
}
