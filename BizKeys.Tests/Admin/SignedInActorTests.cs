using System.Security.Claims;
using BizKeys.Admin.Identity;
using BizKeys.AspNetCore;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Tests.Admin;

public class SignedInActorTests
{
    [Fact]
    public void An_api_key_principal_is_nobody_signed_in_and_never_throws()
    {
        var key = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9")], ApiKeyDefaults.Scheme));

        Assert.Null(SignedInActor.From(key, "127.0.0.1"));
    }

    [Fact]
    public void A_cookie_identity_with_a_malformed_id_is_nobody_and_a_good_one_is_the_person()
    {
        var malformed = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "not-a-guid")], IdentityConstants.ApplicationScheme));
        var id = Guid.NewGuid();
        var person = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, id.ToString()), new Claim(ClaimTypes.Name, "owner@example.com")], IdentityConstants.ApplicationScheme));

        Assert.Null(SignedInActor.From(malformed, null));
        var actor = SignedInActor.From(person, "203.0.113.1");
        Assert.Equal(id, actor!.UserId);
        Assert.Equal("owner@example.com", actor.Name);
    }
}
