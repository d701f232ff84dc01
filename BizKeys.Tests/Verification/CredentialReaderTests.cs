using System.Text;
using BizKeys.AspNetCore;
using Microsoft.AspNetCore.Http;

namespace BizKeys.Tests.Verification;

public class CredentialReaderTests
{
    private static Credentials Read(Action<HttpRequest> set)
    {
        var context = new DefaultHttpContext();
        set(context.Request);
        return CredentialReader.Read(context.Request);
    }

    private static string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));

    [Fact]
    public void Basic_and_the_two_headers_both_give_the_key_and_secret()
    {
        var basic = Read(r => r.Headers.Authorization = Basic("bk_a:bks_b"));
        var lower = Read(r => r.Headers.Authorization = "basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bk_a:bks_b")));
        var headers = Read(r => { r.Headers["X-API-Key"] = "bk_a"; r.Headers["X-API-Secret"] = "bks_b"; });

        foreach (var credentials in new[] { basic, lower, headers })
            Assert.Equal(new Credentials(CredentialStatus.Present, "bk_a", "bks_b"), credentials);
    }

    [Fact]
    public void Nothing_sent_lets_another_scheme_answer()
    {
        Assert.Equal(CredentialStatus.None, Read(_ => { }).Status);
        Assert.Equal(CredentialStatus.None, Read(r => r.Headers.Authorization = "Bearer xyz").Status);
    }

    [Fact]
    public void Credentials_in_the_query_string_are_refused_whatever_else_is_sent()
    {
        Assert.Equal(CredentialStatus.InQueryString, Read(r => r.QueryString = new QueryString("?api_key=bk_a")).Status);
        Assert.Equal(CredentialStatus.InQueryString, Read(r => { r.QueryString = new QueryString("?secret=x"); r.Headers.Authorization = Basic("bk_a:bks_b"); }).Status);
    }

    [Theory]
    [InlineData("both styles")]
    [InlineData("only key header")]
    [InlineData("two key headers")]
    [InlineData("no colon")]
    [InlineData("empty secret")]
    [InlineData("too long")]
    [InlineData("not base64")]
    public void Anything_that_cannot_be_a_key_and_secret_is_malformed(string what)
    {
        var credentials = Read(r =>
        {
            switch (what)
            {
                case "both styles": r.Headers.Authorization = Basic("bk_a:bks_b"); r.Headers["X-API-Key"] = "bk_a"; r.Headers["X-API-Secret"] = "bks_b"; break;
                case "only key header": r.Headers["X-API-Key"] = "bk_a"; break;
                case "two key headers": r.Headers["X-API-Key"] = new(["bk_a", "bk_b"]); r.Headers["X-API-Secret"] = "bks_b"; break;
                case "no colon": r.Headers.Authorization = Basic("bk_abks_b"); break;
                case "empty secret": r.Headers.Authorization = Basic("bk_a:"); break;
                case "too long": r.Headers.Authorization = Basic("bk_a:" + new string('x', 600)); break;
                case "not base64": r.Headers.Authorization = "Basic ###"; break;
            }
        });
        Assert.Equal(CredentialStatus.Malformed, credentials.Status);
    }
}
