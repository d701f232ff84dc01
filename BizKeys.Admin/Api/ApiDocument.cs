using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BizKeys.Admin.Api;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: only the HTTP API (and /healthz), both credential schemes, every
/// status a route answers with its problem body, and examples that hold no real secret.
/// </summary>
public static class ApiDocument
{
    public const string ProblemSchema = "ProblemDetails";

    public static IServiceCollection AddBizKeysOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.ShouldInclude = description => description.RelativePath is { } path
            && (path.StartsWith("api/", StringComparison.Ordinal) || path == "healthz");
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "BizKeys API";
            document.Info.Description = "Verify API keys and manage an account's keys with a key. Send the key and secret as HTTP Basic " +
                "(key as user name, secret as password) or as the X-API-Key and X-API-Secret headers; never in the query string.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "basic", Description = "The API key as user name and its secret as password.",
            };
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-API-Key", Description = "The API key (bk_…); send X-API-Secret with it.",
            };
            document.Components.SecuritySchemes["apiSecret"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-API-Secret", Description = "The API secret (bks_…); send X-API-Key with it.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(async (operation, context, ct) =>
        {
            var document = context.Document!;
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            if (!document.Components.Schemas.ContainsKey(ProblemSchema))
                document.AddComponent<IOpenApiSchema>(ProblemSchema, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct));
            operation.Responses ??= new OpenApiResponses();
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var needsKey = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
            if (needsKey)
            {
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", document)] = [] },
                    new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference("apiKey", document)] = [],
                        [new OpenApiSecuritySchemeReference("apiSecret", document)] = [],
                    },
                ];
                Problem(operation, document, "400", "Malformed input, or credentials in the query string");
                Problem(operation, document, "401", "No valid key and secret (the same body whatever the reason)");
                Problem(operation, document, "403", "The key lacks the permission this route needs, or may not act on that key");
                Problem(operation, document, "429", "Over the key's rate limit, or too many failed attempts from this address (see Retry-After)");
            }
            else
            {
                operation.Security = [];
            }
            if (operation.RequestBody is not null)
                Problem(operation, document, "415", "The body is not JSON, or not in UTF-8");
            Problem(operation, document, "500", "An unexpected failure; the body carries a trace id");
            Problem(operation, document, "503", "The database is busy or full; retry after the seconds in Retry-After");
            foreach (var (status, response) in operation.Responses)
            {
                if (status.StartsWith('4') || status.StartsWith('5'))
                    response.Description = string.IsNullOrEmpty(response.Description) ? Describe(status) : response.Description;
            }
            Examples.Apply(operation, context);
        });
    });

    private static void Problem(OpenApiOperation operation, OpenApiDocument document, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
            return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
    }

    private static string Describe(string status) => status switch
    {
        "400" => "Invalid fields; the problem body lists them under errors",
        "404" => "No such key in this key's account",
        "409" => "The key changed meanwhile, is revoked, or the name is taken",
        _ => "See the problem body",
    };

    /// <summary>Request and response examples. Secrets in them are placeholders that no verifier accepts.</summary>
    private static class Examples
    {
        private const string Key = """{ "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9", "name": "Order notifications", "environment": "Production", "permissions": ["messages:send", "templates:read"], "expiresAt": "2027-06-01T00:00:00Z", "ipAllowlist": ["203.0.113.0/24"], "rateLimitPerMinute": 600, "status": "Active", "createdAt": "2026-11-27T09:30:00Z", "lastUsedAt": null, "lastRotatedAt": null, "previousSecretExpiresAt": null, "revokedAt": null, "version": 1, "previousSecretLastUsedAt": null, "previousSecretUses": null }""";
        private const string Secret = "bks_shown-once-store-it-in-your-secret-manager";

        public static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
        {
            switch (operation.OperationId)
            {
                case "CreateKey":
                    Header(operation, "Idempotency-Key", "Your name for this create (up to 64 visible characters, such as a UUID). Sent again after a lost answer, it returns the same key with a new secret instead of a second key.");
                    Request(operation, """{ "name": "Order notifications", "environment": "Production", "permissions": ["messages:send", "templates:read"], "expiresAt": "2027-06-01T00:00:00Z", "ipAllowlist": ["203.0.113.0/24"], "rateLimitPerMinute": 600 }""");
                    Response(operation, "201", $$"""{ "key": {{Key}}, "secret": "{{Secret}}" }""");
                    break;
                case "UpdateKey":
                    Request(operation, """{ "name": "Order notifications (EU)", "permissions": ["messages:send"], "noRateLimit": false, "rateLimitPerMinute": 300 }""");
                    Response(operation, "200", Key);
                    break;
                case "RevokeKey":
                    Header(operation, "If-Match", "The key's version from its ETag: revoke only if nobody changed the key since (412 otherwise).");
                    Problem(operation, context.Document!, "412", "The key changed since the version in If-Match");
                    break;
                case "RotateKey":
                    Header(operation, "If-Match", "The key's version from its ETag: rotate only if nobody changed the key since (412 otherwise).");
                    Problem(operation, context.Document!, "412", "The key changed since the version in If-Match");
                    Request(operation, """{ "graceMinutes": 1440 }""");
                    Response(operation, "200", $$"""{ "key": {{Key}}, "secret": "{{Secret}}" }""");
                    break;
                case "Verify":
                    Request(operation, """{ "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9", "secret": "bks_the-secret-your-caller-presented", "permission": "messages:send", "ip": "203.0.113.7" }""");
                    Response(operation, "200", """{ "valid": true, "code": "VALID", "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9", "account": "Acme Retail", "environment": "Production", "permissions": ["messages:send", "templates:read"], "expiresAt": "2027-06-01T00:00:00Z" }""");
                    break;
                case "KeyRequests":
                    Response(operation, "200", """{ "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9", "requests": [ { "at": "2026-11-27T10:02:11Z", "outcome": "Success", "reason": null, "ip": "203.0.113.7", "permission": "messages:send", "secret": "Previous" }, { "at": "2026-11-27T10:01:58Z", "outcome": "Failed", "reason": "WrongSecret", "ip": "198.51.100.4", "permission": null, "secret": null } ] }""");
                    break;
                case "ReportLeak":
                    Request(operation, """{ "text": "2026-11-27 10:02 DEBUG calling the API with secret bks_the-secret-that-was-pasted-somewhere" }""");
                    Response(operation, "200", """{ "found": 1, "revoked": 1 }""");
                    break;
                case "VerificationFindKey":
                    operation.Description = "Remote verification (the BizKeys.AspNetCore package in Remote mode): the service sends the pair a client " +
                        "presented and learns the key as verification needs it. The digests (base64 SHA-256 of the current and previous secrets) " +
                        "come only when the presented secret is one of them; the service then verifies that key in memory until the change log " +
                        "says it changed. A key of another account (unless the caller's account is a platform account) reads as unknown: key null.";
                    Request(operation, """{ "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9", "secret": "bks_the-secret-your-caller-presented" }""");
                    Response(operation, "200", """{ "key": { "id": "0b9f6a40-3f7e-4a55-9a53-6d8c3f1e2a10", "accountId": "5d1c2b7e-8a90-4f1e-b3c2-1a2b3c4d5e6f", "account": "Acme Retail", "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9", "name": "Order notifications", "environment": "Production", "permissions": ["messages:send"], "expiresAt": "2027-06-01T00:00:00Z", "ipAllowlist": [], "rateLimitPerMinute": 600, "revokedAt": null, "secretHash": "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=", "previousSecretHash": null, "previousSecretExpiresAt": null } }""");
                    break;
                case "VerificationChanges":
                    operation.Description = "The ordered key-change log as a long poll: with after=N, the changes after line N, waiting up to " +
                        "waitSeconds (at most 30) for one; without after, where the log stands. A service drops each listed key from its cache and " +
                        "asks again after last. After any interruption it asks from the last line it applied, so no change is missed.";
                    Response(operation, "200", """{ "last": 1042, "changes": [ { "seq": 1042, "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9" } ] }""");
                    break;
                case "VerificationUsage":
                    operation.Description = "What a service verified from memory since its last report (every few seconds and when it stops), added " +
                        "to BizKeys' hourly counts, recent requests and last use. Rows for keys the caller may not see are left out and counted in ignored.";
                    Request(operation, """{ "buckets": [ { "keyId": "0b9f6a40-3f7e-4a55-9a53-6d8c3f1e2a10", "hour": "2026-12-07T10:00:00Z", "success": 120, "failures": { "WrongSecret": 2 } } ], "lastUses": [ { "keyId": "0b9f6a40-3f7e-4a55-9a53-6d8c3f1e2a10", "at": "2026-12-07T10:14:03Z", "ip": "203.0.113.7" } ], "failures": [], "requests": [ { "keyId": "0b9f6a40-3f7e-4a55-9a53-6d8c3f1e2a10", "at": "2026-12-07T10:14:03Z", "reason": null, "ip": "203.0.113.7", "permission": "messages:send", "secret": "Current" } ], "previousSecretUses": [] }""");
                    Response(operation, "200", """{ "accepted": 3, "ignored": 0 }""");
                    break;
                case "Me":
                    Response(operation, "200", """{ "key": "bk_4Fq2ZxY8kLm3Np7Rs1Tv0Wa9", "name": "Order notifications", "account": "Acme Retail", "environment": "Production", "permissions": ["messages:send", "templates:read"], "expiresAt": "2027-06-01T00:00:00Z" }""");
                    break;
            }
        }

        private static void Header(OpenApiOperation operation, string name, string description)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name, In = ParameterLocation.Header, Required = false, Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        private static void Request(OpenApiOperation operation, string json)
        {
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
                body.Example = JsonNode.Parse(json);
        }

        private static void Response(OpenApiOperation operation, string status, string json)
        {
            if (operation.Responses?.TryGetValue(status, out var response) == true && response.Content?.TryGetValue("application/json", out var body) == true)
                body.Example = JsonNode.Parse(json);
        }
    }
}
