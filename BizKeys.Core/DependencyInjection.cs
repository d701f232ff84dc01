using BizKeys.AspNetCore;
using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Configuration;
using BizKeys.Core.Data;
using BizKeys.Core.Members;
using BizKeys.Core.Support;
using BizKeys.Core.Usage;
using BizKeys.Core.Users;
using BizKeys.Core.Verification;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BizKeys.Core;

public static class DependencyInjection
{
    /// <summary>Password and lockout rules for every sign-in, wherever users are created.</summary>
    public static Microsoft.AspNetCore.Identity.IdentityBuilder AddBizKeysIdentity(this IServiceCollection services) =>
        // A password reset link works for an hour, and once: using it changes the security stamp it is tied to.
        services.Configure<Microsoft.AspNetCore.Identity.DataProtectionTokenProviderOptions>(o => o.TokenLifespan = PasswordResetLifetime)
        .AddIdentityCore<BizKeysUser>(o =>
        {
            o.User.RequireUniqueEmail = true;
            o.Password.RequiredLength = SignInRules.PasswordMinLength;
            o.Password.RequiredUniqueChars = SignInRules.PasswordMinUniqueCharacters;
            o.Password.RequireDigit = false;
            o.Password.RequireLowercase = false;
            o.Password.RequireUppercase = false;
            o.Password.RequireNonAlphanumeric = false;
            // Failed sign-ins are counted by the sign-in page's guard, per email and per address (the page never asks
            // Identity to count them); a lock an operator sets on a person (LockoutEnd) still applies.
            o.Lockout.AllowedForNewUsers = true;
        }).AddEntityFrameworkStores<BizKeysDbContext>().AddDefaultTokenProviders();

    public static readonly TimeSpan PasswordResetLifetime = TimeSpan.FromHours(1);

    public const string ConnectionStringName = "BizKeys";

    /// <param name="baseDirectory">Where a relative SQLite path is resolved from.</param>
    public static IServiceCollection AddBizKeysCore(this IServiceCollection services, IConfiguration configuration, string baseDirectory)
    {
        services.AddOptions<BizKeysOptions>().Bind(configuration.GetSection(BizKeysOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BizKeysOptions>, BizKeysOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                $"The connection string 'ConnectionStrings:{ConnectionStringName}' is missing. Set it in appsettings.json " +
                $"or as the environment variable ConnectionStrings__{ConnectionStringName}.");
        DatabaseRegistration.Add(services, DatabaseProviders.From(configuration), connectionString, baseDirectory);

        services.AddValidatorsFromAssemblyContaining<ApiKeyService>(ServiceLifetime.Singleton, includeInternalTypes: false);
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AccountAccess>();
        services.AddSingleton<MemberService>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<SupportService>();
        services.AddSingleton<Leaks.LeakReporter>();
        services.AddSingleton<IKeySaveParticipant, Leaks.LeakNotices>();
        services.AddSingleton<SupportSearch>();
        services.AddSingleton<DatabaseBackup>();
        services.AddSingleton<Demo.DemoSeeder>();
        services.AddSingleton<KeyChanges>();
        // Verification runs through the same package the platform's services use, with BizKeys' own settings.
        services.AddSingleton<IOptions<AspNetCore.VerificationOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<BizKeysOptions>>().Value.Verification));
        services.AddSingleton<IOptions<AspNetCore.UsageOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<BizKeysOptions>>().Value.Usage));
        services.AddVerificationKernel().AddDatabaseVerification();
        services.AddSingleton<UsageService>();
        services.AddSingleton<TrafficLeaderboard>();
        services.AddHostedService<TrafficLeaderboardRefresher>();
        services.AddSingleton<KeyChangeLogPruner>();
        services.AddSingleton<Notifications.OutboxMeter>();
        services.AddHostedService(sp => sp.GetRequiredService<Notifications.OutboxMeter>());
        AddWebhooks(services);
        AddMail(services, configuration, baseDirectory);
        services.AddBizKeysIdentity();
        if (configuration.GetValue(JobsEnabledSetting, true))
            AddJobs(services);
        return services;
    }

    public const string JobsEnabledSetting = "BizKeys:Jobs:Enabled";

    /// <summary>
    /// Background work that changes shared state (sends, schedules, prunes): only where <see cref="JobsEnabledSetting"/>
    /// is true. Several instances share each job safely by claiming its work in the database.
    /// </summary>
    private static void AddJobs(IServiceCollection services)
    {
        services.AddHostedService(sp => sp.GetRequiredService<Notifications.WebhookSender>());
        services.AddHostedService(sp => sp.GetRequiredService<Notifications.KeyEventScheduler>());
        services.AddHostedService(sp => sp.GetRequiredService<Mail.MailSender>());
        services.AddHostedService(sp => sp.GetRequiredService<Notifications.NotificationMailer>());
        services.AddHostedService(sp => sp.GetRequiredService<KeyChangeLogPruner>());
    }

    /// <summary>
    /// Mail: the queue's sender, to the SMTP server of <c>BizKeys:Smtp</c> or — with no host — to <c>.eml</c> files,
    /// and the mailer that turns notifications into mail for each account's recipients.
    /// </summary>
    /// <summary>
    /// The <c>.eml</c> folder: <c>BizKeys:Smtp:PickupDirectory</c> when set, else <c>mail</c> beside the SQLite database,
    /// so mail (password-reset links included) stays with the data it belongs to, never in the binaries' folder.
    /// </summary>
    public static string MailFolder(SmtpOptions smtp, DatabaseSettings database, string baseDirectory) =>
        !string.IsNullOrWhiteSpace(smtp.PickupDirectory) ? Path.GetFullPath(smtp.PickupDirectory, baseDirectory)
        : Path.Combine(database.DataFolder(baseDirectory) ?? Path.Combine(baseDirectory, "data"), "mail");

    private static void AddMail(IServiceCollection services, IConfiguration configuration, string baseDirectory)
    {
        services.PostConfigure<BizKeysOptions>(o =>
        {
            if (string.IsNullOrWhiteSpace(o.PublicUrl))
                (o.PublicUrl, o.PublicUrlGuessed) = (Mail.MailLinks.FromServerUrls(configuration["Urls"]), true);
        });
        services.AddSingleton<Mail.MailLinks>();
        services.AddSingleton<Mail.IMailTransport>(sp =>
        {
            var smtp = sp.GetRequiredService<IOptions<BizKeysOptions>>().Value.Smtp;
            return string.IsNullOrWhiteSpace(smtp.Host)
                ? new Mail.PickupDirectoryMailTransport(MailFolder(smtp, sp.GetRequiredService<DatabaseSettings>(), baseDirectory))
                : new Mail.SmtpMailTransport(smtp);
        });
        services.AddSingleton<Mail.MailSender>();
        services.AddSingleton<Notifications.NotificationMailer>();
        services.AddSingleton<Notifications.EmailNotifications>();
        services.AddSingleton<Notifications.EmailUnsubscribe>();
    }

    /// <summary>
    /// Webhooks: endpoints, the outbox sender and its HTTP client — no redirects, a connection only to an address the
    /// settings allow (checked on the address connected to, not the name), and a 10-second answer.
    /// </summary>
    private static void AddWebhooks(IServiceCollection services)
    {
        services.AddDataProtection(); // where its keys live is the host's choice (the admin app sets it up)
        services.AddSingleton<IKeySaveParticipant, Notifications.KeyNotifications>();
        services.AddSingleton<Notifications.WebhookService>();
        services.AddSingleton<Notifications.WebhookSender>();
        services.AddSingleton<Notifications.KeyEventScheduler>();
        services.AddHttpClient(Notifications.WebhookSender.HttpClientName, client =>
            {
                client.Timeout = Notifications.WebhookSender.Timeout + TimeSpan.FromSeconds(5);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("BizKeys-Webhooks/1");
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var allowPrivate = sp.GetRequiredService<IOptions<BizKeysOptions>>().Value.Webhooks.AllowPrivateNetworks;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false, // a proxy would be the address connected to, and the webhook's own never checked
                    UseCookies = false,
                    ConnectTimeout = Notifications.WebhookSender.Timeout,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectCallback = (context, ct) => Notifications.WebhookAddresses.ConnectAsync(context, allowPrivate, ct),
                };
            });
    }
}
