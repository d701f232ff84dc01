using System.Security.Claims;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Identity;

/// <summary>Puts the support flag into the sign-in cookie, so policies can check it on every request.</summary>
public sealed class SupportClaims(UserManager<BizKeysUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<BizKeysUser>(users, options)
{
    public const string ClaimType = "bizkeys:support";
    public const string Policy = "Support";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(BizKeysUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.IsSupport)
            identity.AddClaim(new Claim(ClaimType, "true"));
        return identity;
    }
}
