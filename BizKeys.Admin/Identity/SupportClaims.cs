using System.Security.Claims;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Identity;

/// <summary>
/// Puts the support flag into the sign-in cookie, so policies can check it on every request, and the moment of
/// signing in, so a session ends after <see cref="SessionRules.AbsoluteLifetime"/> however busy it is.
/// </summary>
public sealed class SupportClaims(UserManager<BizKeysUser> users, IOptions<IdentityOptions> options, TimeProvider time)
    : UserClaimsPrincipalFactory<BizKeysUser>(users, options)
{
    public const string ClaimType = "bizkeys:support";
    public const string SignedInAtClaim = "bizkeys:signed_in_at";
    public const string Policy = "Support";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(BizKeysUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.IsSupport)
            identity.AddClaim(new Claim(ClaimType, "true"));
        identity.AddClaim(new Claim(SignedInAtClaim, time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return identity;
    }
}
