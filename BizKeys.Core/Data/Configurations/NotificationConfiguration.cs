using BizKeys.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.Property(e => e.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
        builder.Property(e => e.Description).HasMaxLength(WebhookEndpoint.DescriptionMaxLength);
        builder.Property(e => e.CreatedBy).HasMaxLength(ApiKeys.ApiKey.ActorMaxLength);
        builder.Property(e => e.ProtectedSecret).HasMaxLength(1024);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(e => e.AccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.AccountId);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.Ignore(m => m.WebhookId);
        builder.Property(m => m.Type).HasMaxLength(OutboxMessage.TypeMaxLength);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
        // The sender looks for what it has not fanned out yet.
        builder.HasIndex(m => m.DispatchedAt);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.Property(d => d.Type).HasMaxLength(OutboxMessage.TypeMaxLength);
        builder.Property(d => d.LastError).HasMaxLength(WebhookDelivery.ErrorMaxLength);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<OutboxMessage>().WithMany().HasForeignKey(d => d.MessageId).OnDelete(DeleteBehavior.Cascade);
        // One delivery per message and endpoint, whichever instance fans it out and however often.
        builder.HasIndex(d => new { d.MessageId, d.EndpointId }).IsUnique();
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.HasIndex(d => new { d.EndpointId, d.CreatedAt });
    }
}

internal sealed class KeyEventMarkConfiguration : IEntityTypeConfiguration<KeyEventMark>
{
    public void Configure(EntityTypeBuilder<KeyEventMark> builder)
    {
        builder.HasKey(m => new { m.KeyId, m.Mark });
        builder.Property(m => m.Mark).HasMaxLength(KeyEventMark.MarkMaxLength);
        builder.HasOne<ApiKeys.ApiKey>().WithMany().HasForeignKey(m => m.KeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
