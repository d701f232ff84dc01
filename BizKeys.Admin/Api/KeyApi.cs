using System.Globalization;
using System.Security.Claims;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Configuration;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Core.Verification.AspNetCore;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Api;

/// <summary>The key-authenticated HTTP API under /api/v1. A key only ever sees and changes its own account's keys.</summary>
public static class KeyApi
{
    public static void MapKeyApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter<ApiErrors>().WithTags("API keys");

        api.MapGet("/me", (HttpContext http) =>
        {
            var key = http.Features.Get<ApiKeyFeature>()!.Result!.Key!;
            return Results.Ok(new MeDto(key.Key, key.Name, key.AccountName, key.Environment, [.. key.Permissions.Order(StringComparer.Ordinal)], key.ExpiresAt));
        }).RequireAuthorization(ApiKeyDefaults.AnyKeyPolicy).WithSummary("The calling key");

        api.MapPost("/verify", async (VerifyRequest body, KeyVerifier verifier, IOptions<BizKeysOptions> options, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(body.Key) || string.IsNullOrEmpty(body.Secret))
                throw Invalid("key", "Send both key and secret.");
            if (body.Permission is { } asked && !options.Value.Permissions.Contains(asked))
                throw Invalid("permission", $"\"{asked}\" is not a permission BizKeys knows.");
            System.Net.IPAddress? ip = null;
            if (body.Ip is not null && !System.Net.IPAddress.TryParse(body.Ip, out ip))
                throw Invalid("ip", "Send the caller's IP address, such as 203.0.113.7.");
            var result = await verifier.VerifyAsync(body.Key, body.Secret, ip, body.Permission, ct);
            // Details only for a pair whose secret was right: a wrong guess learns nothing about the key.
            var known = result.Outcome != VerificationOutcome.Invalid ? result.Key : null;
            return Results.Ok(new VerifyResponse(result.IsValid, result.Code, known?.Key, known?.AccountName, known?.Environment,
                known is null ? null : [.. known.Permissions.Order(StringComparer.Ordinal)], known?.ExpiresAt));
        }).RequireAuthorization(ApiKeyDefaults.PolicyFor("keys:verify")).WithSummary("Verify another key and secret");

        api.MapGet("/keys", async (ClaimsPrincipal user, HttpContext http, ApiKeyService keys, int? page, int? pageSize, string? search, string? status, CancellationToken ct) =>
        {
            var actor = Actor(user, http);
            ApiKeyStatus? wanted = null;
            if (status is not null)
                wanted = Enum.TryParse<ApiKeyStatus>(status, ignoreCase: true, out var parsed) ? parsed : throw Invalid("status", "Use Active, Expired or Revoked.");
            var size = pageSize ?? 25;
            if (size is < 1 or > KeyQuery.MaxPageSize || page is < 1)
                throw Invalid("pageSize", $"Pages start at 1 and hold 1 to {KeyQuery.MaxPageSize} keys.");
            var result = await keys.QueryAsync(new KeyQuery(actor.KeyAccountId!.Value)
            {
                Search = search, Status = wanted, Page = (page ?? 1) - 1, PageSize = size,
            }, actor, ct);
            return Results.Ok(new KeyPageDto([.. result.Items.Select(KeyDto.From)], result.PageIndex + 1, result.PageSize, result.TotalCount));
        }).RequireAuthorization(ApiKeyDefaults.PolicyFor("keys:read")).WithSummary("This account's keys, a page at a time");

        api.MapPost("/keys", async (CreateKeyBody body, ClaimsPrincipal user, HttpContext http, ApiKeyService keys, IOptions<BizKeysOptions> options, CancellationToken ct) =>
        {
            var actor = Actor(user, http);
            var issued = await keys.CreateAsync(new CreateKeyRequest
            {
                AccountId = actor.KeyAccountId!.Value,
                Name = body.Name ?? "",
                Environment = body.Environment ?? options.Value.DefaultEnvironment,
                Permissions = [.. body.Permissions ?? []],
                ExpiresAt = body.ExpiresAt?.ToUniversalTime(),
                IpAllowlist = body.IpAllowlist is null ? null : string.Join('\n', body.IpAllowlist),
                RateLimitPerMinute = body.RateLimitPerMinute,
            }, actor, ct);
            return Results.Created($"/api/v1/keys/{issued.Key.Key}", new IssuedKeyDto(KeyDto.From(issued.Key), issued.Secret));
        }).RequireAuthorization(ApiKeyDefaults.PolicyFor("keys:write")).WithSummary("Create a key; its secret is in this response only");

        api.MapPatch("/keys/{key}", async (string key, UpdateKeyBody body, ClaimsPrincipal user, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            var actor = Actor(user, http);
            var accountId = actor.KeyAccountId!.Value;
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
            return Results.Ok(KeyDto.From(await keys.UpdateAsync(request, actor, ct)));
        }).RequireAuthorization(ApiKeyDefaults.PolicyFor("keys:write")).WithSummary("Change a key's settings (never its secret)");

        api.MapPost("/keys/{key}/rotate", async (string key, RotateBody? body, ClaimsPrincipal user, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            var actor = Actor(user, http);
            var issued = await keys.RotateAsync(new RotateKeyRequest
            {
                AccountId = actor.KeyAccountId!.Value, Key = key, GraceMinutes = body?.GraceMinutes ?? 0,
            }, actor, ct);
            return Results.Ok(new IssuedKeyDto(KeyDto.From(issued.Key), issued.Secret));
        }).RequireAuthorization(ApiKeyDefaults.PolicyFor("keys:write")).WithSummary("Issue a new secret; the old one works for graceMinutes more");

        api.MapPost("/keys/{key}/revoke", async (string key, ClaimsPrincipal user, HttpContext http, ApiKeyService keys, CancellationToken ct) =>
        {
            var actor = Actor(user, http);
            return Results.Ok(KeyDto.From(await keys.RevokeAsync(actor.KeyAccountId!.Value, key, actor, ct: ct)));
        }).RequireAuthorization(ApiKeyDefaults.PolicyFor("keys:write")).WithSummary("Revoke a key, at once and for good");

        api.MapGet("/keys/{key}/usage", async (string key, DateTime? from, DateTime? to, string? granularity, ClaimsPrincipal user, HttpContext http,
            UsageService usage, TimeProvider time, CancellationToken ct) =>
        {
            var actor = Actor(user, http);
            var grain = granularity?.ToLowerInvariant() switch
            {
                null or "hour" => Granularity.Hour,
                "day" => Granularity.Day,
                _ => throw Invalid("granularity", "Use hour or day."),
            };
            // By default the last 24 hours or 30 days, the current hour or day included.
            var now = UsageRecorder.Hour(time.GetUtcNow().UtcDateTime);
            var end = to?.ToUniversalTime() ?? (grain == Granularity.Hour ? now.AddHours(1) : now.Date.AddDays(1));
            var start = from?.ToUniversalTime() ?? (grain == Granularity.Hour ? end.AddHours(-24) : end.AddDays(-30));
            if (start >= end)
                throw Invalid("from", "from must be before to.");
            var points = await usage.GetAsync(actor.KeyAccountId!.Value, key, start, end, grain, actor, ct);
            return Results.Ok(new UsageDto(key, grain.ToString().ToLowerInvariant(), start, end, [.. points.Select(p => new UsageBucketDto(
                p.Start, p.Success, p.Failed, p.FailuresByReason.Where(f => f.Value > 0).ToDictionary(f => f.Key.ToString(), f => f.Value)))]));
        }).RequireAuthorization(ApiKeyDefaults.PolicyFor("usage:read")).WithSummary("Requests per hour or day, success and failures by reason");
    }

    private static Actor Actor(ClaimsPrincipal user, HttpContext http) => Core.Actor.ApiKey(
        user.FindFirstValue(ApiKeyDefaults.KeyClaim)!,
        Guid.Parse(user.FindFirstValue(ApiKeyDefaults.AccountClaim)!, CultureInfo.InvariantCulture),
        user.FindAll(ApiKeyDefaults.PermissionClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
        http.Connection.RemoteIpAddress?.ToString());

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}
