using System.Diagnostics;
using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BizKeys.Tests.Services;

/// <summary>
/// What an adopter does: pack BizKeys.AspNetCore into a folder, add it to a new web project from that folder, write
/// the README's lines (the sample's Program.cs), build, run against BizKeys. Nothing of this repository but the package reaches the project.
/// </summary>
[Trait("Category", "SqliteFile")]
public sealed class PackageAdoptionTests(ITestOutputHelper output)
{
    private static string Root => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    /// <summary>The sample's Program.cs: the README's lines, word for word.</summary>
    private static string Program => File.ReadAllText(Path.Combine(Root, "samples", "Messages", "Program.cs"));

    [Fact]
    public void The_readme_shows_the_sample_service_word_for_word()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var section = readme[readme.IndexOf("### Protecting another service", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var shown = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        Assert.Equal(Program.ReplaceLineEndings("\n").Trim(), shown.ReplaceLineEndings("\n").Trim());
    }

    private static async Task<string> RunAsync(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.ExitWithinAsync(TimeSpan.FromMinutes(3));
        var said = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed:\n{said}");
        return said;
    }

    [Fact]
    public async Task A_new_web_project_with_only_the_package_and_the_readme_lines_builds_and_verifies_keys()
    {
        var work = TempDirectory.Create();
        try
        {
            var packages = Directory.CreateDirectory(Path.Combine(work, "packages")).FullName;
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
            await RunAsync(Root, "pack", "BizKeys.AspNetCore", "-c", configuration, "--no-build", "-o", packages);
            var service = Directory.CreateDirectory(Path.Combine(work, "Templates")).FullName;
            await File.WriteAllTextAsync(Path.Combine(service, "Templates.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(service, "Program.cs"), Program);
            await File.WriteAllTextAsync(Path.Combine(service, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><add key="local" value="{packages}" /></packageSources></configuration>
                """);
            await RunAsync(service, "add", "package", "BizKeys.AspNetCore", "--version", "1.0.0");
            var assets = await File.ReadAllTextAsync(Path.Combine(service, "obj", "project.assets.json"));
            Assert.Contains("\"BizKeys.AspNetCore/1.0.0\"", assets);
            foreach (var unwanted in new[] { "Microsoft.EntityFrameworkCore", "MudBlazor", "MailKit", "Microsoft.AspNetCore.Identity.EntityFrameworkCore", "FluentValidation" })
                Assert.DoesNotContain($"\"{unwanted}/", assets); // an adopter inherits none of BizKeys' own packages
            await RunAsync(service, "build", "-v", "quiet", "-o", Path.Combine(service, "out"));

            await using var bizKeys = new AppFactory(settings: new Dictionary<string, string?> { ["ConnectionStrings:BizKeys"] = $"Data Source={Path.Combine(work, "bizkeys.db")}" });
            var (account, owner) = await bizKeys.OwnerAsync();
            var issued = await bizKeys.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
            {
                AccountId = account.Id, Name = "Sender", Environment = "Production", Permissions = ["messages:send"],
            }, owner);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(service, "out", "Templates.dll"));
            start.Environment["Urls"] = "http://127.0.0.1:0";
            start.Environment["ConnectionStrings__BizKeys"] = $"Data Source={Path.Combine(work, "bizkeys.db")}";
            using var process = Process.Start(start)!;
            try
            {
                var url = await new ProcessListening().UrlAsync(process);
                using var client = new HttpClient { BaseAddress = new Uri(url) };
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Post, "/messages", issued.Key.Key, issued.Secret))).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Post, "/messages", issued.Key.Key, KeyFormat.NewSecret()))).StatusCode);
                output.WriteLine($"a new project built from the package answers on {url}");
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            TempDirectory.Delete(work);
        }
    }
}
