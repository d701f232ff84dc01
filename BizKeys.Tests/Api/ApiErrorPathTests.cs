using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Api;

/// <summary>Under /api every error is a problem body, including the unexpected ones; the error path itself never fails.</summary>
public class ApiErrorPathTests
{
    /// <summary>Stands in for a bug deep inside Core: creating a key throws something nobody expected.</summary>
    private sealed class ExplodingValidator : AbstractValidator<CreateKeyRequest>
    {
        public ExplodingValidator() => RuleFor(r => r.Name).Must(name => name == "Boom" ? throw new InvalidOperationException("simulated failure") : true);
    }

    /// <summary>Stands in for PostgreSQL going away mid-request, as EF Core reports it: wrapped, and marked transient.</summary>
    private sealed class UnreachableDatabaseValidator : AbstractValidator<CreateKeyRequest>
    {
        public UnreachableDatabaseValidator() => RuleFor(r => r.Name).Must(name => name == "Offline"
            ? throw new InvalidOperationException("An exception has been raised that is likely due to a transient failure.",
                new Npgsql.NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111)))
            : true);
    }

    [Fact]
    public async Task A_database_out_of_reach_answers_503_with_retry_after_not_500()
    {
        await using var app = new AppFactory(environment: "Production",
            services: s => s.AddSingleton<IValidator<CreateKeyRequest>>(new UnreachableDatabaseValidator()));
        var key = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = (await app.OwnerAsync()).Account.Id, Name = "Caller", Environment = "Production", Permissions = ["keys:write"],
        }, Actor.CommandLine);
        using var client = app.CreateClient();
        var request = ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", key.Key.Key, key.Secret);
        request.Content = JsonContent.Create(new { name = "Offline", environment = "Production" });

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await app.StopAsync();
        var log = string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));
        Assert.DoesNotContain("\"@l\":\"Error\"", log); // a 503 asks the caller to retry: not an error of BizKeys'
        Assert.Single(log.Split('\n'), line => line.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal) && line.Contains("database is busy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unexpected_failure_under_an_api_key_answers_500_with_a_problem_body_and_a_trace_id()
    {
        await using var app = new AppFactory(environment: "Production",
            services: s => s.AddSingleton<IValidator<CreateKeyRequest>>(new ExplodingValidator()));
        var key = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = (await app.OwnerAsync()).Account.Id, Name = "Caller", Environment = "Production", Permissions = ["keys:write"],
        }, Actor.CommandLine);
        using var client = app.CreateClient();

        var request = ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", key.Key.Key, key.Secret);
        request.Content = JsonContent.Create(new { name = "Boom" });
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.DoesNotContain("simulated failure", problem.ToString());
        await app.StopAsync();
        var log = string.Concat(Directory.GetFiles(app.LogDirectory).Select(File.ReadAllText));
        Assert.Contains(traceId!, log);
        // Logged once, as an error, with its trace id: not a second line for the same request.
        Assert.Single(log.Split('\n'), line => line.Contains("\"@l\":\"Error\"", StringComparison.Ordinal));
        Assert.DoesNotContain("FormatException", log);
        Assert.DoesNotContain("error handler", log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_api_routes_get_404_and_wrong_methods_405_as_problems_never_a_sign_in_redirect()
    {
        await using var app = new AppFactory(environment: "Production");
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var unknown = await client.GetAsync("/api/v1/nope");
        var deeper = await client.PostAsync("/api/v2/keys", JsonContent.Create(new { }));
        var wrongMethod = await client.DeleteAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, deeper.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Contains("GET", wrongMethod.Content.Headers.Allow);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Head_healthz_answers_200_and_the_error_page_is_open_to_anyone()
    {
        await using var app = new AppFactory(environment: "Production");
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/healthz"));
        var error = await client.GetAsync("/Error");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Contains("Something went wrong", await error.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sign_out_with_a_missing_or_foreign_token_answers_400_and_keeps_the_session()
    {
        await using var app = new AppFactory(environment: "Production");
        // Outside Development the sign-in cookie is Secure: the browser sends it over HTTPS only.
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        Assert.Equal(HttpStatusCode.Redirect, (await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password)).StatusCode);

        var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = "forged", ["returnUrl"] = "/",
        }));
        var missing = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/settings/members")).StatusCode);
    }

    [Fact]
    public async Task A_form_encoded_or_wrongly_encoded_body_gets_a_415_problem_never_the_sign_in_page()
    {
        await using var app = new AppFactory(environment: "Production");
        var key = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = (await app.OwnerAsync()).Account.Id, Name = "Curl user", Environment = "Production", Permissions = ["keys:write"],
        }, Actor.CommandLine);
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var form = ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", key.Key.Key, key.Secret);
        form.Content = new StringContent("{\"name\":\"x\"}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        var charset = ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", key.Key.Key, key.Secret);
        charset.Content = new StringContent("{\"name\":\"x\"}");
        charset.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=bogus");

        foreach (var request in new[] { form, charset })
        {
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Contradicting_fields_bad_statuses_and_huge_pages_are_400()
    {
        await using var app = new AppFactory();
        var key = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = (await app.OwnerAsync()).Account.Id, Name = "Strict", Environment = "Production", Permissions = ["keys:write", "keys:read"],
        }, Actor.CommandLine);
        using var client = app.CreateClient();

        var patch = ApiApp.Basic(HttpMethod.Patch, $"/api/v1/keys/{key.Key.Key}", key.Key.Key, key.Secret);
        patch.Content = JsonContent.Create(new { noRateLimit = true, rateLimitPerMinute = 7 });
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(patch)).StatusCode);
        foreach (var query in new[] { "status=99", "status=-1", "status=Active,Revoked", "page=2147483647&pageSize=100" })
        {
            var response = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys?{query}", key.Key.Key, key.Secret));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Sign_out_with_an_unreadable_form_is_400_too()
    {
        await using var app = new AppFactory();
        using var client = await HttpSignIn.SignedInClientAsync(app, TestData.OwnerEmail);

        var garbage = new StringContent("garbage");
        garbage.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        var response = await client.PostAsync("/account/logout", garbage);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
