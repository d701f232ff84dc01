using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Cli;

/// <summary>The published app run as the README says: from any directory, every page script and style served whole.</summary>
[Trait("Category", "SqliteFile")]
public sealed partial class PublishedAppTests
{
    private static string Root => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    [GeneratedRegex("""(?:src|href)="([^"]+\.(?:js|css))""")]
    private static partial Regex Assets();

    [Fact]
    public async Task Started_from_another_directory_the_published_app_serves_its_scripts_and_styles_whole()
    {
        var work = TempDirectory.Create();
        try
        {
            var published = Path.Combine(work, "app");
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
            var publish = new ProcessStartInfo("dotnet", ["publish", Path.Combine(Root, "BizKeys.Admin"), "-c", configuration, "--no-build", "-o", published])
                { RedirectStandardOutput = true, RedirectStandardError = true };
            using (var process = Process.Start(publish)!)
            {
                var said = process.StandardOutput.ReadToEndAsync();
                await process.ExitWithinAsync(TimeSpan.FromMinutes(3));
                Assert.True(process.ExitCode == 0, await said);
            }
            var elsewhere = Directory.CreateDirectory(Path.Combine(work, "elsewhere")).FullName;
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = elsewhere, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(published, "BizKeys.Admin.dll"));
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Urls"] = "http://127.0.0.1:0";
            start.Environment["ConnectionStrings__BizKeys"] = $"Data Source={Path.Combine(work, "data", "bizkeys.db")}";
            start.Environment["BizKeys__LogDirectory"] = Path.Combine(work, "logs");
            using var app = Process.Start(start)!;
            try
            {
                var url = await new ProcessListening().UrlAsync(app);
                using var client = new HttpClient { BaseAddress = new Uri(url) };
                var page = await client.GetStringAsync("/login");
                var assets = Assets().Matches(page).Select(m => m.Groups[1].Value).Where(a => !a.StartsWith("http", StringComparison.Ordinal)).Distinct().ToList();

                Assert.NotEmpty(assets);
                foreach (var asset in assets)
                {
                    using var response = await client.GetAsync(asset.StartsWith('/') ? asset : "/" + asset);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.OK && body.Length > 100, $"{asset}: {(int)response.StatusCode}, {body.Length} bytes");
                    Assert.NotNull(response.Content.Headers.ContentType);
                }
            }
            finally
            {
                app.Kill(entireProcessTree: true);
                await app.WaitForExitAsync();
            }
        }
        finally
        {
            TempDirectory.Delete(work);
        }
    }
}
