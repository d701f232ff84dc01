using System.Diagnostics;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Configuration;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Demo;

/// <param name="CredentialsFile">For load tests only: writes "key:secret" of every key a load can use (active, no allowlist, no rate limit) to this new, owner-only file.</param>
public sealed record DemoSeedRequest(int Accounts, int Keys, int UsageDays, bool Force, string? CredentialsFile = null);

public sealed record DemoSeedResult(int Accounts, int Keys, int KeysInUse, long UsageBuckets, TimeSpan Took);

/// <summary>
/// Fills a database with realistic demo data in bulk, for demos and for measuring BizKeys at scale: accounts (the
/// first holds a tenth of the keys, up to 100,000), keys with varied names, environments, permissions, expiries,
/// rotations and revocations, and hourly usage for one key in ten. Keys are written in batches straight to the
/// tables (no per-key validation or audit), so a million keys take minutes. Nobody can sign in to demo accounts,
/// and no secret is kept unless a load test asks for the keys in use in a file of its own.
/// </summary>
public sealed class DemoSeeder(IDbContextFactory<BizKeysDbContext> dbFactory, KeyIdentifiers identifiers, IOptions<BizKeysOptions> options, TimeProvider time)
{
    /// <summary>The actor recorded on demo accounts: how a later seeding tells demo data from real accounts.</summary>
    public const string ActorName = "seed-demo";
    public const int MaxKeys = 5_000_000;
    public const int BiggestAccount = 100_000;
    private const int Batch = 10_000;

    private static readonly string[] Purposes =
    [
        "CRM sync", "Order webhooks", "Campaign sender", "Support desk", "Billing alerts", "Analytics export",
        "Appointment reminders", "Delivery updates", "Marketing automation", "Chatbot", "Inventory sync", "Payments",
        "Loyalty program", "Survey sender", "Lead capture", "Helpdesk bridge", "ERP connector", "Zapier",
    ];

    private static readonly string[] Companies =
    [
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent",
        "Hooli", "Pied Piper", "Vandelay", "Gringotts", "Monarch", "Oscorp", "Dunder", "Prestige", "Nakatomi", "Duff",
    ];

    /// <exception cref="InvalidOperationException">Bad counts, or real accounts in the database without <c>Force</c>.</exception>
    public async Task<DemoSeedResult> SeedAsync(DemoSeedRequest request, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        if (request.Accounts < 1 || request.Keys < 0 || request.Keys > MaxKeys || request.UsageDays is < 0 or > UsageService.MaxDays)
            throw new InvalidOperationException($"Use --accounts 1 or more, --keys 0 to {MaxKeys:N0} and --usage-days 0 to {UsageService.MaxDays}.");
        if (request.Accounts > Math.Max(1, request.Keys))
            throw new InvalidOperationException("Ask for at least as many keys as accounts: every demo account holds a key.");
        var clock = Stopwatch.StartNew();
        var now = time.GetUtcNow().UtcDateTime;
        await using (var check = await dbFactory.CreateDbContextAsync(ct))
        {
            var real = await check.Accounts.CountAsync(a => !check.AuditEntries.Any(e => e.AccountId == a.Id && e.Actor == ActorName), ct);
            if (real > 0 && !request.Force)
                throw new InvalidOperationException(
                    $"This database holds {real} real account(s). seed-demo adds thousands of demo accounts beside them; run it on a database of its own, or add --force.");
        }

        if (request.CredentialsFile is { } file && File.Exists(file))
            throw new InvalidOperationException($"{file} exists already; name a new file for the credentials.");
        var credentials = request.CredentialsFile is null ? null : new List<string>();
        var random = new Random(20261127); // the same demo data every time
        var sizes = Sizes(request.Accounts, request.Keys);
        var environments = options.Value.Environments.Count > 0 ? options.Value.Environments : ["Production"];
        var catalogue = options.Value.Permissions;
        var actor = new Actor(ActorName) { IsSystem = true };
        var keysInUse = 0;
        long buckets = 0;
        var written = 0;
        for (var a = 0; a < sizes.Length; a++)
        {
            var account = Account.Create($"{Companies[a % Companies.Length]} {Purposes[a / Companies.Length % Purposes.Length].Split(' ')[0]} {a + 1:000000}", now.AddDays(-400));
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                db.Accounts.Add(account);
                db.AuditEntries.Add(AuditEntry.Create(account.Id, actor, AuditActions.AccountCreated, account.Name, $"Account \"{account.Name}\" created (demo data)", now));
                await db.SaveChangesAsync(ct);
            }
            for (var start = 0; start < sizes[a]; start += Batch)
            {
                var count = Math.Min(Batch, sizes[a] - start);
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                db.ChangeTracker.AutoDetectChangesEnabled = false;
                var usage = new List<UsageBucket>();
                for (var i = 0; i < count; i++)
                {
                    var (key, secret) = DemoKey(account.Id, start + i, random, environments, catalogue, actor, now);
                    db.ApiKeys.Add(key);
                    var active = key.StatusAt(now) == ApiKeyStatus.Active;
                    if (active && key.IpAllowlist.Count == 0 && key.RateLimitPerMinute is null)
                        credentials?.Add($"{key.Key}:{secret}");
                    if (request.UsageDays > 0 && active && random.Next(10) == 0)
                    {
                        keysInUse++;
                        var last = AddUsage(usage, key.Id, request.UsageDays, random, now);
                        db.Entry(key).Property(k => k.LastUsedAt).CurrentValue = last;
                        db.Entry(key).Property(k => k.LastUsedIp).CurrentValue = $"203.0.113.{random.Next(1, 255)}";
                    }
                }
                db.UsageBuckets.AddRange(usage);
                await db.SaveChangesAsync(ct);
                buckets += usage.Count;
                written += count;
                progress?.Report($"{written:N0} of {request.Keys:N0} keys");
            }
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
                await db.Accounts.Where(x => x.Id == account.Id).ExecuteUpdateAsync(x => x.SetProperty(y => y.KeyCount, y => y.KeyCount + sizes[a]), ct);
        }
        if (request.CredentialsFile is { } path)
        {
            await File.WriteAllLinesAsync(path, credentials!, ct);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return new DemoSeedResult(sizes.Length, written, keysInUse, buckets, clock.Elapsed);
    }

    /// <summary>The first account holds a tenth of the keys (up to 100,000); the rest share what is left.</summary>
    private static int[] Sizes(int accounts, int keys)
    {
        var sizes = new int[accounts];
        if (accounts == 1)
        {
            sizes[0] = keys;
            return sizes;
        }
        sizes[0] = Math.Min(BiggestAccount, Math.Max(1, keys / 10));
        var rest = keys - sizes[0];
        for (var i = 1; i < accounts; i++)
            sizes[i] = rest / (accounts - 1) + (i <= rest % (accounts - 1) ? 1 : 0);
        return sizes;
    }

    private (ApiKey Key, string Secret) DemoKey(Guid accountId, int index, Random random, IReadOnlyList<string> environments, IReadOnlyList<string> catalogue, Actor actor, DateTime now)
    {
        var created = now.AddMinutes(-random.Next(1, 365 * 24 * 60));
        var expiry = random.Next(10) switch
        {
            < 4 => (DateTime?)null,
            < 5 => created.AddDays(30), // many of these have expired
            _ => now.AddDays(random.Next(1, 365)),
        };
        var permissions = catalogue.Where(_ => random.Next(4) == 0).Take(5).DefaultIfEmpty(catalogue.Count > 0 ? catalogue[0] : "messages:send").ToList();
        var details = new KeyDetails($"{Purposes[random.Next(Purposes.Length)]} {index + 1:000000}", environments[random.Next(environments.Count)],
            permissions, expiry, random.Next(20) == 0 ? ["203.0.113.0/24"] : [], random.Next(8) == 0 ? 600 : null);
        var secret = KeyFormat.NewSecret();
        var key = ApiKey.Create(accountId, details, identifiers.New(), secret, created, actor);
        if (random.Next(10) < 3)
        {
            var rotated = created.AddDays(random.Next(1, Math.Max(2, (int)(now - created).TotalDays)));
            if (rotated < now && key.StatusAt(rotated) == ApiKeyStatus.Active)
            {
                secret = KeyFormat.NewSecret();
                key.Rotate(secret, random.Next(4) == 0 ? TimeSpan.FromDays(7) : TimeSpan.Zero, rotated);
            }
        }
        if (random.Next(10) == 0)
        {
            var revoked = created.AddDays(random.Next(1, Math.Max(2, (int)(now - created).TotalDays)));
            key.Revoke(revoked < now ? revoked : now, actor);
        }
        return (key, secret);
    }

    /// <returns>The last hour with requests: the key's last use.</returns>
    private static DateTime AddUsage(List<UsageBucket> usage, Guid keyId, int days, Random random, DateTime now)
    {
        var hour = UsageHours.Of(now);
        var last = DateTime.MinValue;
        for (var day = 0; day < days; day++)
        {
            foreach (var h in new[] { random.Next(24), random.Next(24) }.Distinct())
            {
                var start = hour.Date.AddDays(-day).AddHours(h);
                if (start > hour)
                    continue;
                var bucket = new UsageBucket { KeyId = keyId, HourStart = start, Success = random.Next(1, 500) };
                if (random.Next(5) == 0)
                    bucket.WrongSecret = random.Next(1, 20);
                if (random.Next(20) == 0)
                    bucket.RateLimited = random.Next(1, 50);
                usage.Add(bucket);
                if (start > last)
                    last = start;
            }
        }
        return last == DateTime.MinValue ? hour : last.AddMinutes(random.Next(60));
    }
}
