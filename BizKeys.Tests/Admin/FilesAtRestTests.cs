using System.Net;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Admin;

/// <summary>Data, logs and signing keys are readable by BizKeys' own account only, and the keys live with the data.</summary>
public class FilesAtRestTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Data_keys_and_logs_are_owner_only_and_a_sign_in_survives_a_restart()
    {
        var root = TempDirectory.Create();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:BizKeys"] = $"Data Source={Path.Combine(root, "data", "bizkeys.db")}" };
        string cookie;
        var first = new AppFactory(settings: settings, directory: root);
        using (var client = HttpSignIn.Client(first))
        {
            var response = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);
            cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("BizKeys.SignIn=", StringComparison.Ordinal)).Split(';')[0];
        }
        await first.StopAsync(); // keeps the files, as a restart would

        foreach (var folder in new[] { Path.Combine(root, "data"), Path.Combine(root, "data", "keys"), Path.Combine(root, "logs") })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "data", "keys"), "key-*.xml"));

        await using var second = new AppFactory(withOwner: false, settings: settings, directory: root);
        using var again = second.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Get, "/settings/members");
        request.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await again.SendAsync(request)).StatusCode);
    }
}
