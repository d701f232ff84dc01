using System.Security.Claims;
using System.Text.Encodings.Web;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BizKeys.AspNetCore;

/// <summary>
/// Authenticates a request by its API key and secret. Failures of any kind get the same 401 body (no oracle);
/// the real reason is counted for the key's owner. Over the key's rate limit: 429 with Retry-After.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, KeyVerifier verifier, FailedAttemptLimiter failures, UsageRecorder usage,
    VerificationMeter meter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credentials = CredentialReader.Read(Request);
        if (credentials.Status == CredentialStatus.None)
            return AuthenticateResult.NoResult();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var feature = new ApiKeyFeature { Status = credentials.Status, Ip = Context.Connection.RemoteIpAddress };
        Context.Features.Set(feature);
        VerificationResult result;
        if (failures.RetryAfter(feature.Ip) is { } wait)
        {
            // An address that keeps failing is refused before anything is looked up; a key already in memory whose
            // secret matches is still served, so a flood from a shared address cannot lock out the keys behind it.
            var known = credentials.Status == CredentialStatus.Present ? await verifier.CheckCachedOnlyAsync(credentials.Key, credentials.Secret, feature.Ip, Context.RequestAborted) : null;
            if (known is null || known.Outcome == VerificationOutcome.Invalid)
            {
                feature.AddressRetryAfter = wait;
                meter.Blocked();
                return AuthenticateResult.Fail("Too many failed attempts from this address");
            }
            result = known;
        }
        else
        {
            if (credentials.Status != CredentialStatus.Present)
            {
                failures.Failed(feature.Ip);
                meter.Verified(FailureReason.Malformed, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return AuthenticateResult.Fail("Malformed credentials");
            }
            try
            {
                result = await verifier.VerifyAsync(credentials.Key, credentials.Secret, feature.Ip, ct: Context.RequestAborted);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or IOException or InvalidOperationException
                                          or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException
                                      && !Context.RequestAborted.IsCancellationRequested)
            {
                // The key is not in memory and its database cannot be read now: the caller may retry; its key is not
                // said to be wrong.
                feature.Unavailable = true;
                meter.Unavailable(System.Diagnostics.Stopwatch.GetElapsedTime(started));
                return AuthenticateResult.Fail("Key verification is unavailable");
            }
            if (result.Outcome == VerificationOutcome.Invalid)
                failures.Failed(feature.Ip);
        }
        feature.Result = result;
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        // Counted once the whole outcome is known (a valid key may still lack the endpoint's permission), and before
        // the first byte goes out: whoever has the answer finds the request counted.
        Context.Response.OnStarting(() =>
        {
            var reason = feature.MissingPermission is null ? result.Reason : FailureReason.MissingPermission;
            meter.Verified(reason, took);
            usage.Record(result.Key, reason, feature.Ip, result.Matched, AskedPermission(Context));
            return Task.CompletedTask;
        });
        if (!result.IsValid)
            return AuthenticateResult.Fail(result.Code);

        var key = result.Key!;
        var claims = new List<Claim>(3 + key.Permissions.Count)
        {
            new(ClaimTypes.NameIdentifier, key.Key),
            new(ApiKeyDefaults.KeyClaim, key.Key),
            new(ApiKeyDefaults.AccountClaim, key.AccountIdText),
        };
        foreach (var permission in key.Permissions)
            claims.Add(new Claim(ApiKeyDefaults.PermissionClaim, permission));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var feature = Context.Features.Get<ApiKeyFeature>();
        if (feature?.Status == CredentialStatus.InQueryString)
            return Problems.WriteAsync(Context, StatusCodes.Status400BadRequest, "Bad Request",
                "Credentials in the query string are refused. Send them in the Authorization header or in X-API-Key and X-API-Secret.");
        if (feature?.Unavailable == true)
        {
            Response.Headers.RetryAfter = "5";
            return Problems.WriteAsync(Context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                "API keys cannot be verified for a moment. Retry after the number of seconds in the Retry-After header.");
        }
        if (feature?.AddressRetryAfter is { } addressWait)
            return TooManyRequests(addressWait, "Too many failed authentications from this address. Retry after the number of seconds in the Retry-After header.");
        if (feature?.Result is { Outcome: VerificationOutcome.RateLimited, RetryAfter: { } retryAfter })
            return TooManyRequests(retryAfter, "This key is over its rate limit. Retry after the number of seconds in the Retry-After header.");
        Response.Headers.WWWAuthenticate = "Basic realm=\"BizKeys\", charset=\"UTF-8\"";
        return Problems.Unauthorized(Context);
    }

    private Task TooManyRequests(TimeSpan retryAfter, string detail)
    {
        Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.WriteAsync(Context, StatusCodes.Status429TooManyRequests, "Too Many Requests", detail);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> PermissionOfPolicy = new(StringComparer.Ordinal);

    /// <summary>The permission the route's policy asks for ("ApiKey:usage:read" asks for usage:read), without allocating per request.</summary>
    private static string? AskedPermission(HttpContext context)
    {
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy;
        const string prefix = ApiKeyDefaults.AnyKeyPolicy + ":";
        if (policy is null || !policy.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        return PermissionOfPolicy.GetOrAdd(policy, p => p[prefix.Length..]);
    }
}
