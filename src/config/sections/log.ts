import { z } from 'zod'
import { LOG_LEVELS } from '../../lib/logger.ts'
import { lowerCase, optionalSetting, setting } from '../settings.ts'

export const logSection = z
  .object({
    LOG_LEVEL: setting(
      z.preprocess(
        lowerCase,
        z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
      ),
      'info',
    ),
    LOG_FORMAT: optionalSetting(z.enum(['json', 'pretty'], { error: 'must be json or pretty' })),
  })
  .transform((e) => ({ level: e.LOG_LEVEL, format: e.LOG_FORMAT }))

export type LogConfig = z.output<typeof logSection>
