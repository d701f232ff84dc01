using BizKeys.Admin.Components.Pages.ApiKeys;
using System.Security.Claims;
using BizKeys.Admin.Hosting;
using BizKeys.Admin.Identity;
using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Tests.Support;
using Bunit;
using Bunit.Rendering;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace BizKeys.Tests.Admin;

/// <summary>
/// A bUnit context wired like the app: BizKeys Core on its own SQLite file, MudBlazor with transitions off,
/// and the providers the layout renders, so dialogs and snackbars appear in the rendered markup.
/// </summary>
public sealed class PageHost : IAsyncDisposable
{
    private readonly string _directory;
    private BunitAuthorizationContext _authorization = default!;

    private PageHost(BunitContext context, string directory)
    {
        Context = context;
        _directory = directory;
    }

    public BunitContext Context { get; }
    public FakeTimeProvider Time { get; } = new(TestData.Start);
    public ApiKeyService Keys => Context.Services.GetRequiredService<ApiKeyService>();
    public AccountChoice Account { get; private set; } = default!;
    public Actor Owner { get; private set; } = default!;

    public static async Task<PageHost> CreateAsync()
    {
        var directory = TempDirectory.Create();
        // Pages load from a real database (PostgreSQL included) on a machine that may be busy: waits end when the
        // awaited render arrives, and allow it up to 10 s rather than bUnit's 1 s.
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        var context = new BunitContext();
        var host = new PageHost(context, directory);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        host._authorization = context.AddAuthorization();
        var configuration = ProductConfiguration.Build(TestDatabases.SettingsFor(directory));
        context.Services.AddSingleton<TimeProvider>(host.Time);
        context.Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        context.Services.AddBizKeysCore(configuration, directory);
        context.Services.AddDataProtection().UseEphemeralDataProtectionProvider(); // no keys left on disk
        context.Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.HideTransitionDuration = 0;
        });
        context.Services.AddScoped<CurrentAccount>();
        context.Services.AddScoped<KeyActions>();
        context.Services.AddScoped<ClientInfo>();
        await DatabaseInitializer.InitializeAsync(context.Services);
        var owner = await context.Services.SeedOwnerAsync();
        host.SignIn(owner.Id, TestData.OwnerEmail);
        host.Owner = Actor.User(owner.Id, TestData.OwnerEmail, isSupport: false, ip: null);
        host.Account = await context.Services.GetRequiredService<CurrentAccount>().GetAsync();
        return host;
    }

    private void SignIn(Guid userId, string email, bool isSupport = false)
    {
        var auth = _authorization;
        auth.SetAuthorized(email);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, userId.ToString()) };
        if (isSupport)
            claims.Add(new Claim(SupportClaims.ClaimType, "true"));
        auth.SetClaims([.. claims]);
        auth.SetAuthenticationType(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme); // as the sign-in cookie would
    }

    /// <summary>Signs this page host in as a new support person (no account of their own).</summary>
    public async Task<Actor> SignInAsSupportAsync(string email)
    {
        var user = await Context.Services.CreateUserAsync(email, "Support");
        SignIn(user.Id, email, isSupport: true);
        return Actor.User(user.Id, email, isSupport: true, ip: null);
    }

    /// <summary>Renders <typeparamref name="TPage"/> beside the MudBlazor providers, as the layout does.</summary>
    public IRenderedComponent<ContainerFragment> Render<TPage>(IReadOnlyDictionary<string, object?>? parameters = null)
        where TPage : IComponent =>
        Context.Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2);
            builder.CloseComponent();
            builder.OpenComponent<TPage>(3);
            foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
                builder.AddComponentParameter(4, name, value);
            builder.CloseComponent();
        });

    public Task<IssuedSecret> CreateKeyAsync(string name) => Keys.CreateAsync(new CreateKeyRequest
    {
        AccountId = Account.Id, Name = name, Environment = "Production", Permissions = ["messages:send"],
    }, Owner);

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        SqliteConnection.ClearAllPools();
        TestDatabases.Drop(_directory);
        TempDirectory.Delete(_directory);
    }
}
