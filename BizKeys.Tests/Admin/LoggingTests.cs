using BizKeys.Admin.Hosting;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Admin;

public class LoggingTests
{
    [Fact]
    public async Task No_secret_reaches_the_logs_even_at_the_most_verbose_level()
    {
        var secrets = new List<string>();
        string key;
        string logText;
        await using (var app = new AppFactory(logLevel: "Verbose"))
        {
            using var client = app.CreateClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);

            var keys = app.Services.GetRequiredService<ApiKeyService>();
            var (account, owner) = await app.OwnerAsync();
            var issued = await keys.CreateAsync(new CreateKeyRequest
            {
                AccountId = account.Id, Name = "Logged bot", Environment = "Production", Permissions = ["messages:send"],
            }, owner);
            secrets.Add(issued.Secret);
            key = issued.Key.Key;
            var rotated = await keys.RotateAsync(new RotateKeyRequest { AccountId = account.Id, Key = key, GraceMinutes = 60 }, owner);
            secrets.Add(rotated.Secret);
            await app.StopAsync();
            logText = string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));
        }

        // Structured lines: the template and the key id as a property.
        Assert.Contains("API key {Key} created in account {AccountId} by {Actor}", logText);
        Assert.Contains($"\"Key\":\"{key}\"", logText);
        Assert.Contains("Executed DbCommand", logText); // the verbose level really was on
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logText);
            Assert.DoesNotContain(secret[4..44], logText);
        }
    }
}
