import { Module } from '@nestjs/common';
import { SmsCompliance } from './sms-compliance';
import { SmsComplianceRepository } from './sms-compliance.repository';

/**
 * The SMS keyword check the agents' dispatcher runs before every turn. Apart from MessagingModule
 * so the agents need nothing of the message dispatcher. DatabaseService comes from its global module.
 */
@Module({
  providers: [SmsComplianceRepository, SmsCompliance],
  exports: [SmsCompliance],
})
export class SmsComplianceModule {}
