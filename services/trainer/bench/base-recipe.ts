/** The recipe a bench starts from: the current quick-start recipe, or with RECIPE=previous the previous one. */
import { previousQuickstartRecipe, quickstartRecipe } from '@grpo/trainer-service';

export const baseRecipe = process.env.RECIPE === 'previous' ? previousQuickstartRecipe : quickstartRecipe;
