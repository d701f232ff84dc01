using BizKeys.AspNetCore;
using BizKeys.AspNetCore.Remote;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Configuration;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Api;

/// <summary>
/// The Remote verification protocol (BizKeys.AspNetCore in <c>Remote</c> mode), for a service key holding
/// <c>keys:verify</c>: a key looked up by a presented pair, the key-change log as a long poll, and the service's usage
/// reports. A service sees its own account's keys, or every account's when its account is a platform account.
/// </summary>
public static class VerificationApi
{
    /// <summary>The longest a request for changes is held when there is none.</summary>
    public const int MaxWaitSeconds = 10;

    public static void MapVerificationApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/verification").AddEndpointFilter<ApiRefusals>().WithTags("Verification protocol")
            .RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysVerify));
        api.MapPost("/keys", FindKey).WithName("VerificationFindKey")
            .WithSummary("A key as a verifying service needs it, for a presented pair; its digests only when the secret is one of the key's")
            .ProducesProblem(400);
        api.MapGet("/changes", Changes).WithName("VerificationChanges")
            .WithSummary("The key-change log after a position, waiting up to waitSeconds for a change; without after, where it stands")
            .ProducesProblem(400);
        api.MapPost("/usage", Usage).WithName("VerificationUsage")
            .WithSummary("Requests a service verified from memory, counted into BizKeys' usage, recent requests and last use")
            .ProducesProblem(400);
    }

    private static Guid? Scope(HttpContext http, IOptions<BizKeysOptions> options)
    {
        var caller = http.Features.Get<ApiKeyFeature>()!.Result!.Key!;
        return options.Value.Verification.PlatformAccounts.Contains(caller.AccountName, StringComparer.Ordinal) ? null : caller.AccountId;
    }

    private static async Task<Ok<RemoteKeyAnswer>> FindKey(RemoteKeyRequest body, HttpContext http, IKeySource keys, KeyIdentifiers identifiers,
        IOptions<BizKeysOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.Key) || string.IsNullOrEmpty(body.Secret))
            throw Invalid("key", "Send both key and secret.");
        if (!identifiers.CanExist(body.Key) || !KeyFormat.IsWellFormedSecret(body.Secret))
            return TypedResults.Ok(new RemoteKeyAnswer(null));
        var found = await keys.FindAsync(body.Key, body.Secret, ct);
        if (found is null || Scope(http, options) is { } account && found.Key.AccountId != account)
            return TypedResults.Ok(new RemoteKeyAnswer(null)); // another tenant's key reads as unknown
        var matched = found.Match(KeyFormat.Digest(body.Secret), time.GetUtcNow().UtcDateTime) != SecretMatch.None;
        var key = found.Key;
        if (!matched) // a wrong secret learns which key to count it against, and nothing about the key
            return TypedResults.Ok(new RemoteKeyAnswer(new RemoteKey(key.Id, key.AccountId, "", key.Key, "", "", [], null, [], null, null, null, null, null)));
        return TypedResults.Ok(new RemoteKeyAnswer(new RemoteKey(
            key.Id, key.AccountId, key.AccountName, key.Key, key.Name, key.Environment, [.. key.Permissions.Order(StringComparer.Ordinal)],
            key.ExpiresAt, [.. key.Limits.IpAllowlist.Select(n => n.ToString())], key.Limits.RateLimitPerMinute, found.RevokedAt,
            matched ? Convert.ToBase64String(found.SecretHash) : null,
            matched && found.PreviousSecretHash is { } previous ? Convert.ToBase64String(previous) : null,
            matched ? found.PreviousSecretExpiresAt : null)));
    }

    private static async Task<Ok<RemoteChanges>> Changes(long? after, int? waitSeconds, HttpContext http, KeyChangeFollower follower,
        IDbContextFactory<BizKeysDbContext> dbFactory, IOptions<BizKeysOptions> options, IHostApplicationLifetime lifetime, CancellationToken requestAborted)
    {
        // A held request ends when the app stops too: a stop never waits for the services' polls.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        if (after is null)
            return TypedResults.Ok(new RemoteChanges(follower.LastApplied, []));
        if (after < 0)
            throw Invalid("after", "Send the last change applied (0 or more), or nothing to learn where the log stands.");
        var wait = TimeSpan.FromSeconds(Math.Clamp(waitSeconds ?? 0, 0, MaxWaitSeconds));
        var scope = Scope(http, options);
        if (follower.LastApplied <= after.Value)
        {
            try
            {
                await follower.WaitBeyondAsync(after.Value, wait, ct);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !requestAborted.IsCancellationRequested)
            {
                return TypedResults.Ok(new RemoteChanges(after.Value, [])); // stopping: nothing new from here
            }
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lines = await db.KeyChangeLog.AsNoTracking().Where(c => c.Seq > after.Value).OrderBy(c => c.Seq).Take(1_000)
            .Select(c => new { c.Seq, c.Key, c.AccountId }).ToListAsync(ct);
        var last = lines.Count > 0 ? lines[^1].Seq : after.Value;
        return TypedResults.Ok(new RemoteChanges(last,
            [.. lines.Where(c => scope is null || c.AccountId == scope).Select(c => new RemoteChange(c.Seq, c.Key))]));
    }

    private static async Task<Ok<RemoteUsageAnswer>> Usage(RemoteUsageReport body, HttpContext http, UsageRecorder recorder,
        IDbContextFactory<BizKeysDbContext> dbFactory, IOptions<BizKeysOptions> options, TimeProvider time, CancellationToken ct)
    {
        var scope = Scope(http, options);
        var named = (body.Buckets ?? []).Select(b => b.KeyId).Concat((body.LastUses ?? []).Select(u => u.KeyId)).Concat((body.Failures ?? []).Select(f => f.KeyId))
            .Concat((body.Requests ?? []).Select(r => r.KeyId)).Concat((body.PreviousSecretUses ?? []).Select(u => u.KeyId)).Distinct().Take(RemoteUsageReport.MaxRows * 5).ToList();
        var visible = new HashSet<Guid>();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            foreach (var chunk in named.Chunk(1_000))
            {
                visible.UnionWith(await db.ApiKeys.AsNoTracking()
                    .Where(k => chunk.Contains(k.Id) && (scope == null || k.AccountId == scope)).Select(k => k.Id).ToListAsync(ct));
            }
        }
        UsageBatch batch;
        int ignored;
        try
        {
            (batch, ignored) = RemoteUsage.ToBatch(body, visible, options.Value.Permissions.ToHashSet(StringComparer.Ordinal), time.GetUtcNow().UtcDateTime);
        }
        catch (ArgumentException e)
        {
            throw Invalid("report", e.Message);
        }
        recorder.Restore(batch); // written with BizKeys' own next flush
        var accepted = batch.Buckets.Count + batch.LastUses.Count + batch.Failures.Count + batch.Requests.Count + batch.PreviousSecretUses.Count;
        return TypedResults.Ok(new RemoteUsageAnswer(accepted, ignored));
    }

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}
