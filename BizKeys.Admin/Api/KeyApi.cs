using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Configuration;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.AspNetCore;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Api;

/// <summary>The key-authenticated HTTP API under /api/v1. A key only ever sees and changes its own account's keys.</summary>
public static class KeyApi
{
    public static void MapKeyApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter<ApiRefusals>().WithTags("API keys");

        api.MapGet("/me", Me).RequireAuthorization(ApiKeyDefaults.AnyKeyPolicy)
            .WithName("Me").WithSummary("The calling key");
        api.MapPost("/verify", Verify).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysVerify))
            .WithName("Verify").WithSummary("Verify another key and secret").ProducesProblem(400);
        api.MapGet("/keys", ListKeys).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysRead))
            .WithName("ListKeys").WithSummary("This account's keys, a page at a time").ProducesProblem(400);
        api.MapPost("/keys", CreateKey).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysWrite))
            .WithName("CreateKey").WithSummary("Create a key; its secret is in this response only").ProducesProblem(400).ProducesProblem(409);
        api.MapPatch("/keys/{key}", UpdateKey).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysWrite))
            .WithName("UpdateKey").WithSummary("Change a key's settings (never its secret)").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        api.MapPost("/keys/{key}/rotate", RotateKey).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysWrite))
            .WithName("RotateKey").WithSummary("Issue a new secret; the old one works for graceMinutes more").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        api.MapPost("/keys/{key}/revoke", RevokeKey).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysWrite))
            .WithName("RevokeKey").WithSummary("Revoke a key, at once and for good").ProducesProblem(404).ProducesProblem(409);
        api.MapPost("/keys/{key}/rotation/end", EndRotation).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.KeysWrite))
            .WithName("EndRotation").WithSummary("End a rotation's grace period now: the previous secret stops working").ProducesProblem(404).ProducesProblem(409);
        api.MapGet("/keys/{key}/requests", KeyRequests).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.UsageRead))
            .WithName("KeyRequests").WithSummary("The key's recent requests, newest first: time, outcome, reason, address, permission, secret").ProducesProblem(404);
        api.MapGet("/keys/{key}/usage", KeyUsage).RequireAuthorization(ApiKeyDefaults.PolicyFor(Permissions.UsageRead))
            .WithName("KeyUsage").WithSummary("Requests per hour or day, success and failures by reason").ProducesProblem(400).ProducesProblem(404);
    }

    private static Ok<MeDto> Me(HttpContext http)
    {
        var key = CallingKey(http);
        return TypedResults.Ok(new MeDto(key.Key, key.Name, key.AccountName, key.Environment, Sorted(key.Permissions), key.ExpiresAt));
    }

    private static async Task<Ok<VerifyResponse>> Verify(VerifyRequest body, HttpContext http, KeyVerifier verifier, UsageRecorder usage, IOptions<BizKeysOptions> options,
        VerificationMeter meter, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.Key) || string.IsNullOrEmpty(body.Secret))
            throw Invalid("key", "Send both key and secret.");
        if (body.Permission is { } asked && !options.Value.Permissions.Contains(asked))
            throw Invalid("permission", $"\"{asked}\" is not a permission BizKeys knows.");
        System.Net.IPAddress? ip = null;
        if (body.Ip is not null && (body.Ip.Contains('%') || !System.Net.IPAddress.TryParse(body.Ip, out ip)))
            throw Invalid("ip", "Send the caller's IP address, such as 203.0.113.7 or 2001:db8::7 (without a zone).");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await verifier.VerifyForAsync(CallingKey(http), body.Key, body.Secret, ip, body.Permission, ct);
        meter.Verified(result.Reason, System.Diagnostics.Stopwatch.GetElapsedTime(started)); // its verdict is BizKeys', as for the caller's own key
        usage.Record(result.Key, result.Reason, ip, result.Matched, body.Permission); // the pair asked about, not the caller (the handler counts the caller)
        // Details only for a pair whose secret was right: a wrong guess learns nothing about the key.
        var known = result.Outcome != VerificationOutcome.Invalid ? result.Key : null;
        return TypedResults.Ok(new VerifyResponse(result.IsValid, result.Code, known?.Key, known?.AccountName, known?.Environment,
            known is null ? null : Sorted(known.Permissions), known?.ExpiresAt));
    }

    private static async Task<Ok<KeyPageDto>> ListKeys([AsParameters] KeyListQuery query, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        await KeyListQueryValidator.Instance.ValidateAndThrowAsync(query, ct);
        var actor = Actor(http);
        var result = await keys.QueryAsync(query.For(actor.KeyAccountId!.Value), actor, ct);
        return TypedResults.Ok(new KeyPageDto([.. result.Items.Select(KeyDto.From)], result.PageIndex + 1, result.PageSize, result.TotalCount));
    }

    private static async Task<Created<IssuedKeyDto>> CreateKey(CreateKeyBody body, HttpContext http, ApiKeyService keys, IOptions<BizKeysOptions> options, CancellationToken ct)
    {
        var actor = Actor(http);
        var idempotencyKey = http.Request.Headers["Idempotency-Key"].ToString();
        if (http.Request.Headers["Idempotency-Key"].Count > 1 || idempotencyKey.Length > ApiKey.IdempotencyKeyMaxLength
            || idempotencyKey.Any(c => c < 0x21 || c > 0x7e))
            throw Invalid("Idempotency-Key", $"Send one Idempotency-Key of 1 to {ApiKey.IdempotencyKeyMaxLength} visible ASCII characters, such as a UUID.");
        var issued = await keys.CreateAsync(new CreateKeyRequest
        {
            IdempotencyKey = idempotencyKey.Length == 0 ? null : idempotencyKey,
            AccountId = actor.KeyAccountId!.Value,
            Name = body.Name ?? "",
            Environment = body.Environment ?? options.Value.DefaultEnvironment,
            Permissions = [.. body.Permissions ?? []],
            ExpiresAt = body.ExpiresAt?.ToUniversalTime(),
            IpAllowlist = body.IpAllowlist is null ? null : string.Join('\n', body.IpAllowlist),
            RateLimitPerMinute = body.RateLimitPerMinute,
        }, actor, ct);
        if (issued.Replayed)
            http.Response.Headers["Idempotent-Replayed"] = "true"; // the same key as the first attempt, with a new secret
        ETag(http, issued.Key);
        return TypedResults.Created($"/api/v1/keys/{issued.Key.Key}", new IssuedKeyDto(KeyDto.From(issued.Key), issued.Secret));
    }

    private static async Task<Ok<KeyDto>> UpdateKey(string key, UpdateKeyBody body, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        var actor = Actor(http);
        var accountId = actor.KeyAccountId!.Value;
        if (body.NeverExpires == true && body.ExpiresAt is not null)
            throw Invalid("expiresAt", "Send either expiresAt or neverExpires, not both.");
        if (body.NoRateLimit == true && body.RateLimitPerMinute is not null)
            throw Invalid("rateLimitPerMinute", "Send either rateLimitPerMinute or noRateLimit, not both.");
        var current = await keys.GetAsync(accountId, key, actor, ct) ?? throw new ApiKeyNotFoundException(key);
        var request = UpdateKeyRequest.From(current, accountId);
        if (body.Name is not null) request.Name = body.Name;
        if (body.Environment is not null) request.Environment = body.Environment;
        if (body.Permissions is not null) request.Permissions = [.. body.Permissions];
        if (body.NeverExpires == true) request.ExpiresAt = null;
        else if (body.ExpiresAt is { } expires) request.ExpiresAt = expires.ToUniversalTime();
        if (body.IpAllowlist is not null) request.IpAllowlist = string.Join('\n', body.IpAllowlist);
        if (body.NoRateLimit == true) request.RateLimitPerMinute = null;
        else if (body.RateLimitPerMinute is not null) request.RateLimitPerMinute = body.RateLimitPerMinute;
        return TypedResults.Ok(KeyDto.From(await keys.UpdateAsync(request, actor, ct)));
    }

    private static async Task<Ok<IssuedKeyDto>> RotateKey(string key, RotateBody? body, HttpContext http, ApiKeyService keys, IOptions<BizKeysOptions> options, CancellationToken ct)
    {
        // No silent default: a forgotten grace period would cut the integration off at once.
        if (body?.GraceMinutes is not { } grace)
            throw Invalid("graceMinutes", $"Say how long the old secret keeps working, in minutes: {string.Join(", ", options.Value.RotationGraceMinutes)} (0 ends it now).");
        var actor = Actor(http);
        var issued = await keys.RotateAsync(new RotateKeyRequest
        {
            AccountId = actor.KeyAccountId!.Value, Key = key, GraceMinutes = grace, ExpectedVersion = IfMatch(http),
        }, actor, ct);
        ETag(http, issued.Key);
        return TypedResults.Ok(new IssuedKeyDto(KeyDto.From(issued.Key), issued.Secret));
    }

    private static async Task<Ok<RecentRequestsDto>> KeyRequests(string key, HttpContext http, UsageService usage, CancellationToken ct)
    {
        var actor = Actor(http);
        var requests = await usage.RecentRequestsAsync(actor.KeyAccountId!.Value, key, actor, ct);
        return TypedResults.Ok(new RecentRequestsDto(key, [.. requests.Select(RecentRequestDto.From)]));
    }

    private static async Task<Ok<KeyDto>> EndRotation(string key, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        var actor = Actor(http);
        var ended = await keys.EndRotationAsync(actor.KeyAccountId!.Value, key, actor, IfMatch(http), ct);
        ETag(http, ended);
        return TypedResults.Ok(KeyDto.From(ended));
    }

    private static async Task<Ok<KeyDto>> RevokeKey(string key, HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        var actor = Actor(http);
        var revoked = await keys.RevokeAsync(actor.KeyAccountId!.Value, key, actor, IfMatch(http), ct);
        ETag(http, revoked);
        return TypedResults.Ok(KeyDto.From(revoked));
    }

    private static async Task<Ok<UsageDto>> KeyUsage(string key, [AsParameters] UsageQuery query, HttpContext http,
        UsageService usage, TimeProvider time, CancellationToken ct)
    {
        await UsageQueryValidator.Instance.ValidateAndThrowAsync(query, ct);
        var actor = Actor(http);
        var (start, end) = UsageWindow.Resolve(query.From, query.To, query.Grain, time.GetUtcNow().UtcDateTime);
        var points = await usage.GetAsync(actor.KeyAccountId!.Value, key, start, end, query.Grain, actor, ct);
        return TypedResults.Ok(new UsageDto(key, query.Grain.ToString().ToLowerInvariant(), start, end, [.. points.Select(p => new UsageBucketDto(
            p.Start, p.Success, p.Failed, p.FailuresByReason.Where(f => f.Value > 0).ToDictionary(f => f.Key.ToString(), f => f.Value)))]));
    }

    /// <summary>
    /// <c>If-Match</c> with the key's version (its ETag, as every answer about one key carries): the change happens
    /// only if nobody changed the key since; otherwise 412.
    /// </summary>
    private static long? IfMatch(HttpContext http)
    {
        var header = http.Request.Headers.IfMatch;
        if (header.Count == 0)
            return null;
        var text = header.ToString().Trim();
        if (text == "*")
            return null; // any current version (the key must exist, as it must anyway)
        if (text.StartsWith("W/", StringComparison.Ordinal))
            return -1; // a weak tag never matches for a change (RFC 9110): answered 412
        return long.TryParse(text.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version
            : throw Invalid("If-Match", "Send the key's version from its ETag or its version field, such as \"3\".");
    }

    private static void ETag(HttpContext http, ApiKeyView key) =>
        http.Response.Headers.ETag = $"\"{key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";

    /// <summary>The key that authenticated this request, as verification handed it over (no digests).</summary>
    private static VerifiedKey CallingKey(HttpContext http) =>
        http.Features.Get<ApiKeyFeature>()?.Result?.Key ?? throw new InvalidOperationException("The API-key policy let a request through without a verified key.");

    /// <summary>The calling key as the Core services see it: its account, permissions and limits.</summary>
    private static Actor Actor(HttpContext http)
    {
        var key = CallingKey(http);
        return Core.Actor.ApiKey(key.Key, key.AccountId, key.Limits, http.Connection.RemoteIpAddress?.ToString());
    }

    private static List<string> Sorted(IEnumerable<string> permissions) => [.. permissions.Order(StringComparer.Ordinal)];

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}
