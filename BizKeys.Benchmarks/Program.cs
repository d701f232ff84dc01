// Measures what BizKeys costs: (1) HTTP throughput of the same small response with and without API-key
// verification (and counting) under the same wrk load, (2) the keys grid's first page for a small account
// against an account with 100,000 keys. Run: dotnet run -c Release --project BizKeys.Benchmarks [-- seconds]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using BizKeys.Benchmarks;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Verification.AspNetCore;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var directory = Directory.CreateTempSubdirectory("bizkeys-bench").FullName;
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
builder.Services.AddBizKeysCore(builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:BizKeys"] = $"Data Source={Path.Combine(directory, "bench.db")}",
}).Build(), directory);
builder.Services.AddAuthentication().AddBizKeysApiKeys();
builder.Services.AddAuthorization();

var app = builder.Build();
await DatabaseInitializer.InitializeAsync(app.Services);
var body = new { key = "bk_000000000000000000000000", name = "Benchmark bot", account = "Bench Ltd", environment = "Production" };
app.MapGet("/open", () => Results.Ok(body));
app.MapGet("/keyed", () => Results.Ok(body)).RequireAuthorization(ApiKeyDefaults.AnyKeyPolicy);
await app.StartAsync();
var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

var accounts = app.Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>();
var small = await accounts.EnsureAsync("Small Ltd");
var keys = app.Services.GetRequiredService<ApiKeyService>();
var issued = await keys.CreateAsync(new CreateKeyRequest { AccountId = small.Id, Name = "Benchmark bot", Environment = "Production" }, Actor.CommandLine);
for (var i = 0; i < 9; i++)
    await keys.CreateAsync(new CreateKeyRequest { AccountId = small.Id, Name = $"Small {i}", Environment = "Production" }, Actor.CommandLine);

Console.WriteLine($"# BizKeys benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, wrk -t2 -c32 -d{seconds}s");
var basic = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{issued.Key.Key}:{issued.Secret}"));
var results = new List<(string Name, double Rps)>();
foreach (var round in Enumerable.Range(1, 2))
{
    results.Add(("open", Wrk.Run($"{url}/open", seconds, null)));
    results.Add(("keyed", Wrk.Run($"{url}/keyed", seconds, $"Authorization: Basic {basic}")));
}
var open = results.Where(r => r.Name == "open").Average(r => r.Rps);
var keyed = results.Where(r => r.Name == "keyed").Average(r => r.Rps);
foreach (var (name, rps) in results)
    Console.WriteLine($"{name,-6} {rps,12:N0} req/s");
Console.WriteLine($"verified/unauthenticated throughput ratio: {keyed / open:0.000} (target >= 0.9)");

var big = await accounts.EnsureAsync("Big Ltd");
var seed = Stopwatch.StartNew();
await Seed.KeysAsync(app.Services, big.Id, 100_000);
Console.WriteLine($"seeded 100,000 keys in {seed.Elapsed.TotalSeconds:0.0} s");
var smallPage = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(small.Id) { PageSize = 25 }, Actor.CommandLine));
var bigPage = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(big.Id) { PageSize = 25 }, Actor.CommandLine));
var bigSearch = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(big.Id) { PageSize = 25, Search = "key 0999" }, Actor.CommandLine));
var bigLast = await Timing.MedianAsync(() => keys.QueryAsync(new KeyQuery(big.Id) { PageSize = 25, Page = 3999 }, Actor.CommandLine));
Console.WriteLine($"first page, 10 keys:       {smallPage:0.00} ms (median of 30)");
Console.WriteLine($"first page, 100,000 keys:  {bigPage:0.00} ms ({bigPage / smallPage:0.0}x)");
Console.WriteLine($"search, 100,000 keys:      {bigSearch:0.00} ms ({bigSearch / smallPage:0.0}x)");
Console.WriteLine($"last page, 100,000 keys:   {bigLast:0.00} ms ({bigLast / smallPage:0.0}x)");

await app.StopAsync();
Directory.Delete(directory, recursive: true);
